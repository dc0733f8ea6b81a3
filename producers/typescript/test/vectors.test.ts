/** Every conformance vector in conformance/, run against the TypeScript implementation. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { canonicalBytes, canonicalText, digest } from "../src/canonical.js";
import { CHECKS, checkData, checkText } from "../src/check.js";
import { readJson } from "../src/read.js";
import { seal } from "../src/seal.js";
import { CONFORMANCE } from "./paths.js";

interface Vector {
  name: string;
  description: string;
  [key: string]: unknown;
}

function vectors(file: string): Vector[] {
  const body = JSON.parse(readFileSync(CONFORMANCE + file, "utf8")) as { format: string; vectors: Vector[] };
  assert.equal(body.format, "pipespec-conformance/1");
  return body.vectors;
}

type Pair = { code: string; path: string };

/** Distinct (code, pointer) pairs in one order: the vectors state errors as a set. */
function pairs(findings: readonly Pair[]): Pair[] {
  const distinct = new Map(findings.map((f) => [`${f.path}\u0000${f.code}`, { code: f.code, path: f.path }]));
  return [...distinct.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, pair]) => pair);
}

const IMPLEMENTED = new Set<string>(CHECKS);
const documents = [...vectors("valid.json"), ...vectors("invalid.json")];

describe("canonical.json", () => {
  for (const vector of vectors("canonical.json")) {
    test(vector.name, () => {
      const read = readJson(vector["input"] as string);
      assert.ok(read.ok, `the input is refused: ${JSON.stringify(read)}`);
      assert.equal(canonicalText(read.data), vector["canonical"]);
      assert.equal(canonicalBytes(read.data).toString("hex"), vector["canonical_utf8_hex"]);
      assert.equal(digest(read.data), vector["sha256"]);
    });
  }
});

describe("seal.json", () => {
  for (const vector of vectors("seal.json")) {
    test(vector.name, () => {
      const sealed = seal(vector["document"] as object);
      assert.deepEqual(sealed, vector["sealed"]);
      assert.deepEqual(checkData(sealed), []);
    });
  }
});

describe("valid.json and invalid.json", () => {
  for (const vector of documents) {
    test(vector.name, () => {
      // A vector needing a check this implementation lacks fails here: none may be passed over.
      const needs = (vector["checks"] as string[]).filter((check) => !IMPLEMENTED.has(check));
      assert.deepEqual(needs, [], `${vector.name} needs checks this implementation lacks`);
      const findings = "text" in vector ? checkText(vector["text"] as string) : checkData(vector["document"]);
      assert.deepEqual(pairs(findings), pairs(vector["errors"] as Pair[]));
    });
  }

  test("the refusals JSON.parse alone would miss are among the vectors", () => {
    const names = new Set(documents.map((v) => v.name));
    for (const name of ["duplicate-key", "duplicate-key-escaped", "nan-literal", "infinity-literals", "syntax-error-nested"]) {
      assert.ok(names.has(name), name);
    }
  });
});
