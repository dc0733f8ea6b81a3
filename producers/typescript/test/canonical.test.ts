/** Canonical JSON and what it refuses, with the JSON Pointer of the refused value. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Unrepresentable, canonicalText, digest, findUnrepresentable } from "../src/canonical.js";

test("keys sort by UTF-16 code unit, not by code point", () => {
  assert.equal(canonicalText({ "\ue000": 1, "\u{1f600}": 2, a: 3 }), '{"a":3,"\u{1f600}":2,"\ue000":1}');
});

test("numbers are written as ECMAScript writes them", () => {
  assert.equal(canonicalText([-0, 1e21, 1e-7, 0.000001, 1e16, 5e-324]), "[0,1e+21,1e-7,0.000001,10000000000000000,5e-324]");
});

test("the digest is SHA-256 of the canonical UTF-8 bytes", () => {
  // Known value: sha256 of the two bytes `{}`.
  assert.equal(digest({}), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
});

const refusals: [string, unknown, string][] = [
  ["NaN", { a: [1, Number.NaN] }, "/a/1"],
  ["an infinity", { a: { b: Number.NEGATIVE_INFINITY } }, "/a/b"],
  ["a lone surrogate in a string", ["ok", "\ud800"], "/1"],
  ["a lone surrogate in a key", { x: { "\udc00": 1 } }, "/x/\udc00"],
  ["undefined", { a: undefined }, "/a"],
  ["a function", [() => 1], "/0"],
  ["a Date", { when: new Date(0) }, "/when"],
  ["a Map", { m: new Map() }, "/m"],
  ["a bigint", { n: 1n }, "/n"],
  ["a key needing escapes", { "a/b": { "c~d": Number.NaN } }, "/a~1b/c~0d"],
];

for (const [what, value, path] of refusals) {
  test(`refuses ${what} at its pointer`, () => {
    assert.equal(findUnrepresentable(value)?.path, path);
    assert.throws(() => canonicalText(value), (exc: unknown) => exc instanceof Unrepresentable && exc.finding.path === path);
  });
}

test("integers beyond ±(2^53-1) written without an exponent are refused only for writing", () => {
  for (const n of [9007199254740992, -9007199254740992, 1e16, 1e20]) {
    assert.equal(findUnrepresentable({ n }), null, String(n));
    assert.equal(findUnrepresentable({ n }, { writable: true })?.path, "/n", String(n));
  }
  for (const n of [9007199254740991, -9007199254740991, 1e21, 1.5e300, 0.5]) {
    assert.equal(findUnrepresentable({ n }, { writable: true }), null, String(n));
  }
});
