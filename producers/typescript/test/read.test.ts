/** Reading JSON text: the refusals the Python reader makes, at the same JSON Pointers. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readJson } from "../src/read.js";

const refused = (text: string): [string, string] | null => {
  const read = readJson(text);
  return read.ok ? null : [read.error.code, read.error.path];
};

test("integer literals beyond ±(2^53-1) are refused; float literals of any size are not", () => {
  assert.deepEqual(refused('{"a": [0, 9007199254740992]}'), ["VALUE_UNREPRESENTABLE", "/a/1"]);
  assert.deepEqual(refused("[-9007199254740992]"), ["VALUE_UNREPRESENTABLE", "/0"]);
  assert.equal(refused("[9007199254740991, -9007199254740991, 1e16, 1E300, 1.0e21]"), null);
  assert.deepEqual(refused('{"x": 1e309}'), ["VALUE_UNREPRESENTABLE", "/x"]);
});

test("the pointer follows keys with escapes, quotes and structure characters", () => {
  assert.deepEqual(refused('{"a\\"}{[,": {"b/~": [{}, [], "]", 1e999]}}'), ["VALUE_UNREPRESENTABLE", '/a"}{[,/b~1~0/3']);
});

test("lone surrogates: in a string at the string, in a key at its object", () => {
  assert.deepEqual(refused('{"a": ["x", "\\ud800"]}'), ["VALUE_UNREPRESENTABLE", "/a/1"]);
  assert.deepEqual(refused('{"a": {"ok": 1, "\\udfff": 2}}'), ["VALUE_UNREPRESENTABLE", "/a"]);
  assert.equal(refused('["\\ud83d\\ude00", "\\\\ud800"]'), null);
});

test("the first refusal in document order wins", () => {
  assert.deepEqual(refused('[{"b": 1e400}, 9007199254740993]'), ["VALUE_UNREPRESENTABLE", "/0/b"]);
});

test("deep nesting does not exhaust the stack", () => {
  const depth = 100_000;
  assert.equal(refused("[".repeat(depth) + "]".repeat(depth)), null);
});

test("duplicate keys are a parse error at the repeated key, at any depth", () => {
  assert.deepEqual(refused('{"a": 1, "a": 2}'), ["PARSE_ERROR", "/a"]);
  assert.deepEqual(refused('{"x": {"a": 1, "b": {"c": 1}, "a": 2}}'), ["PARSE_ERROR", "/x/a"]);
  assert.deepEqual(refused('[{"a": 1}, {"b": [{"k": 1, "k": 2}]}]'), ["PARSE_ERROR", "/1/b/0/k"]);
  assert.deepEqual(refused('{"a/~": 1, "a/~": 2}'), ["PARSE_ERROR", "/a~1~0"]);
  assert.deepEqual(refused('{"": 1, "": 2}'), ["PARSE_ERROR", "/"]);
  // The same key in different objects is no duplicate.
  assert.equal(refused('{"a": {"a": 1}, "b": {"a": 1, "b": 2}}'), null);
});

test("keys are compared after unescaping", () => {
  assert.deepEqual(refused('{"a": 1, "\\u0061": 2}'), ["PARSE_ERROR", "/a"]);
  assert.deepEqual(refused('{"x": {"\\"": 1, "\\u0022": 2}}'), ["PARSE_ERROR", '/x/"']);
  assert.deepEqual(refused('{"\\u00e9": 1, "\u00e9": 2}'), ["PARSE_ERROR", "/\u00e9"]);
  assert.deepEqual(refused('{"\\ud83d\\ude00": 1, "\u{1f600}": 2}'), ["PARSE_ERROR", "/\u{1f600}"]);
  // An escaped backslash followed by "u0061" is not the key "a".
  assert.equal(refused('{"a": 1, "\\\\u0061": 2}'), null);
});

test("NaN, Infinity and -Infinity are unrepresentable values, at the top level and nested", () => {
  for (const literal of ["NaN", "Infinity", "-Infinity"]) {
    assert.deepEqual(refused(literal), ["VALUE_UNREPRESENTABLE", ""], literal);
    assert.deepEqual(refused(` ${literal}\n`), ["VALUE_UNREPRESENTABLE", ""], literal);
    assert.deepEqual(refused(`[${literal}]`), ["VALUE_UNREPRESENTABLE", "/0"], literal);
    assert.deepEqual(refused(`{"a": [1, {"b": ${literal}}]}`), ["VALUE_UNREPRESENTABLE", "/a/1/b"], literal);
  }
  // As in Python, a literal that only starts like one is still refused as one; others are syntax.
  assert.deepEqual(refused("[NaNa]"), ["VALUE_UNREPRESENTABLE", "/0"]);
  assert.deepEqual(refused("[-NaN]"), ["PARSE_ERROR", "/0"]);
  assert.deepEqual(refused("[Inf]"), ["PARSE_ERROR", "/0"]);
  assert.equal(refused('["NaN", "Infinity", {"NaN": -1}]'), null);
});

test("refusals of every kind come in document order, syntax errors included", () => {
  assert.deepEqual(refused('{"a": 1, "a": NaN}'), ["PARSE_ERROR", "/a"]);
  assert.deepEqual(refused('{"a": NaN, "a": 1}'), ["VALUE_UNREPRESENTABLE", "/a"]);
  assert.deepEqual(refused("[NaN, }"), ["VALUE_UNREPRESENTABLE", "/0"]);
  assert.deepEqual(refused("[}, NaN]"), ["PARSE_ERROR", "/0"]);
  assert.deepEqual(refused('{"a": 1, "a": 2'), ["PARSE_ERROR", "/a"]);
  assert.deepEqual(refused('{"a": 9007199254740993, "a": 1}'), ["VALUE_UNREPRESENTABLE", "/a"]);
  // A key with a lone surrogate is refused (at its object) before it is compared.
  assert.deepEqual(refused('{"\\ud800": 1, "\\ud800": 2}'), ["VALUE_UNREPRESENTABLE", ""]);
});

test("a syntax error is reported where the scan stands, as Python does", () => {
  assert.deepEqual(refused("{"), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused('{"a": [1, }'), ["PARSE_ERROR", "/a/1"]);
  assert.deepEqual(refused('{"a": 1, }'), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused('{"a" 1}'), ["PARSE_ERROR", "/a"]);
  assert.deepEqual(refused("[1, 2"), ["PARSE_ERROR", "/1"]);
  assert.deepEqual(refused("[01]"), ["PARSE_ERROR", "/0"]);
  assert.deepEqual(refused('["\\x"]'), ["PARSE_ERROR", "/0"]);
  assert.deepEqual(refused('{"a": 1} x'), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused("{]"), ["PARSE_ERROR", ""]);
});

test("what is refused before parsing is refused at the root", () => {
  assert.deepEqual(refused("\ufeff{}"), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused('{"a": "\u0000"}'), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused('[NaN, "\ud800"]'), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused(" \n"), ["PARSE_ERROR", ""]);
  assert.deepEqual(refused(""), ["PARSE_ERROR", ""]);
});
