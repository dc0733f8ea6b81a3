/** The TypeScript RAG pipeline is examples/rag.json: same members, same digests, same bytes. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Unrepresentable } from "../src/canonical.js";
import { checkData } from "../src/check.js";
import type { MapOp, PipespecPipeline, SinkOp } from "../src/generated/pipeline.js";
import { InvalidDocument, ragPipeline, sealChecked, sealedRagPipeline } from "../src/rag.js";
import { memberDigest, seal, verify } from "../src/seal.js";
import { EXAMPLES } from "./paths.js";

const EXAMPLE_TEXT = readFileSync(EXAMPLES + "rag.json", "utf8");
const EXAMPLE = JSON.parse(EXAMPLE_TEXT) as Record<string, unknown>;

test("the sealed pipeline is the example, digest for digest", () => {
  const built = sealedRagPipeline({ schemaHint: "../schema/pipeline.schema.json" });
  assert.deepEqual(built, EXAMPLE);
  assert.equal(built.version, EXAMPLE["version"]);
});

test("written as pipespec writes JSON, it is the example byte for byte", () => {
  const built = sealedRagPipeline({ schemaHint: "../schema/pipeline.schema.json" });
  assert.equal(JSON.stringify(built, null, 2) + "\n", EXAMPLE_TEXT);
});

test("the schema hint is not covered by the root digest", () => {
  assert.equal(sealedRagPipeline().version, EXAMPLE["version"]);
  assert.equal(sealedRagPipeline({ schemaHint: "https://example.invalid/x.json" }).version, EXAMPLE["version"]);
});

test("sealing a sealed document changes nothing", () => {
  const once = sealedRagPipeline();
  assert.deepEqual(seal(once), once);
});

test("a changed parameter changes its op's digest and the root's, and nothing else", () => {
  const base = sealedRagPipeline();
  const changed = sealedRagPipeline({ embeddingDim: 128 });
  assert.deepEqual(
    base.ops.map((op, i) => op.version === changed.ops[i]!.version),
    [true, true, false, true],
  );
  assert.notEqual(base.version, changed.version);
  // And the old digests no longer verify the changed content.
  const stale = { ...changed, ops: changed.ops.map((op, i) => ({ ...op, version: base.ops[i]!.version })) };
  assert.deepEqual(
    verify(stale).map((f) => [f.code, f.path]),
    [
      ["HASH_MISMATCH", "/ops/2/version"],
      ["HASH_MISMATCH", "/version"],
    ],
  );
});

test("a digest is over the object without its own version", () => {
  const op = sealedRagPipeline().ops[0]!;
  const { version, ...content } = op;
  assert.equal(memberDigest(content, "/ops/0"), version);
  assert.equal(memberDigest(op, "/ops/0"), version);
});

test("the generated types refuse at compile time what the schema refuses", () => {
  const ok: MapOp = { type: "Map", name: "m", func_id: "a", error_policy: "skip", in_type: "A", out_type: "A" };
  // @ts-expect-error: an error policy outside the enum
  const policy: MapOp = { ...ok, error_policy: "retry" };
  // @ts-expect-error: a member the (closed) op schema does not have
  const extra: MapOp = { ...ok, max_batch_size: 8 };
  // @ts-expect-error: a Sink op needs its contract
  const sink: SinkOp = { type: "Sink", name: "s", sink_id: "a", error_policy: "skip", in_type: "A", out_type: "B" };
  // @ts-expect-error: a pipeline needs at least one op
  const empty: PipespecPipeline = { spec_version: "1", ops: [] };
  // And at run time the schema refuses each of them too.
  for (const op of [policy, extra, sink]) {
    assert.notDeepEqual(checkData({ spec_version: "1", ops: [op] }, { sealed: false }), []);
  }
  assert.notDeepEqual(checkData(empty, { sealed: false }), []);
});

test("a document the schema refuses is not sealed", () => {
  const doc = ragPipeline();
  const bad = { ...doc, ops: [{ ...doc.ops[0]!, func_id: "rag.clean\n" }, ...doc.ops.slice(1)] };
  assert.throws(
    () => sealChecked(bad as typeof doc),
    (exc: unknown) =>
      exc instanceof InvalidDocument &&
      exc.findings.length >= 1 &&
      exc.findings.every((f) => f.code === "SCHEMA_INVALID" && f.path === "/ops/0/func_id"),
  );
});

test("a document with names the schema cannot check is not sealed", () => {
  const doc = ragPipeline();
  const twice = { ...doc, ops: [doc.ops[0]!, { ...doc.ops[1]!, name: "clean" }, ...doc.ops.slice(2)] };
  assert.throws(
    () => sealChecked(twice as typeof doc),
    (exc: unknown) => exc instanceof InvalidDocument && exc.findings[0]?.code === "DUPLICATE_NAME",
  );
});

test("a parameter the Python reader could not read back is refused before sealing", () => {
  for (const [size, path] of [
    [1e16, "/ops/1/params/size"],
    [Number.NaN, "/ops/1/params/size"],
    [Number.POSITIVE_INFINITY, "/ops/1/params/size"],
  ] as const) {
    assert.throws(
      () => sealedRagPipeline({ chunkSize: size }),
      (exc: unknown) => exc instanceof Unrepresentable && exc.finding.code === "VALUE_UNREPRESENTABLE" && exc.finding.path === path,
    );
  }
  // Written with an exponent, 1e21 reads back as a float everywhere.
  assert.deepEqual(checkData(sealedRagPipeline({ chunkSize: 1e21 })), []);
});
