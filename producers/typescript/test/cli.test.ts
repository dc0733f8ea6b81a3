/** The command line other programs (and the Python tests) call. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { EXAMPLES, REPO } from "./paths.js";

const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
const EXAMPLE = JSON.parse(readFileSync(EXAMPLES + "rag.json", "utf8")) as { version: string };

test("build-rag writes the sealed pipeline with a schema hint relative to the output", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pipespec-"));
  const out = path.join(dir, "rag.json");
  const built = run("build-rag", out);
  assert.equal(built.status, 0, built.stderr);
  assert.equal(built.stdout, `${out}\t${EXAMPLE.version}\n`);
  const doc = JSON.parse(readFileSync(out, "utf8")) as { $schema: string };
  assert.equal(path.resolve(dir, doc.$schema), path.join(REPO, "schema", "pipeline.schema.json"));
  const checked = run("check", out);
  assert.equal(checked.status, 0, checked.stdout);
  assert.deepEqual(JSON.parse(checked.stdout), []);
  assert.equal(run("hash", out).stdout, EXAMPLE.version + "\n");
});

test("check reports errors as JSON with the file, code and pointer, and exits 1", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pipespec-"));
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, readFileSync(EXAMPLES + "rag.json", "utf8").replace('"dim": 256', '"dim": 257'));
  const checked = run("check", bad);
  assert.equal(checked.status, 1);
  const reports = JSON.parse(checked.stdout) as { file: string; code: string; path: string }[];
  assert.deepEqual(
    reports.map((r) => [r.file, r.code, r.path]),
    [
      [bad, "HASH_MISMATCH", "/ops/2/version"],
      [bad, "HASH_MISMATCH", "/version"],
    ],
  );
});

test("verdicts and findings answer for each text of a batch, in order", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pipespec-"));
  const batch = path.join(dir, "batch.json");
  const text = readFileSync(EXAMPLES + "rag.json", "utf8");
  const example = JSON.parse(text) as Record<string, unknown>;
  const texts = [text, JSON.stringify({ ...example, extra: 1 }), "[]", JSON.stringify({ ...example, version: undefined }), text.replace('"dim": 256', '"dim": 1e400')];
  writeFileSync(batch, JSON.stringify(texts));
  const verdicts = run("verdicts", batch);
  assert.equal(verdicts.status, 0, verdicts.stderr);
  assert.deepEqual(JSON.parse(verdicts.stdout), [true, false, false, true, true]);
  const findings = run("findings", batch);
  assert.equal(findings.status, 0, findings.stderr);
  assert.deepEqual(JSON.parse(findings.stdout), [
    [],
    [["SCHEMA_INVALID", "/extra"]],
    [["SCHEMA_INVALID", ""]],
    [["UNSEALED", ""]],
    [["VALUE_UNREPRESENTABLE", "/ops/2/params/dim"]],
  ]);
  writeFileSync(batch, JSON.stringify([example]));
  assert.equal(run("verdicts", batch).status, 2);
});

test("a usage error exits 2 and says how to call it", () => {
  for (const args of [[], ["nope"], ["build-rag"], ["hash", "a", "b"]]) {
    const result = run(...args);
    assert.equal(result.status, 2, args.join(" "));
    assert.match(result.stderr, /usage:/);
  }
  assert.equal(run("check", "/nonexistent/file.json").status, 2);
});
