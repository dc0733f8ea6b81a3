/** The reference RAG pipeline (examples/rag.json), built in TypeScript as plain data. */
import { Unrepresentable, findUnrepresentable } from "./canonical.js";
import { checkData } from "./check.js";
import type { BatchMapOp, FlatMapOp, MapOp, PipespecPipeline, SinkOp } from "./generated/pipeline.js";
import { seal } from "./seal.js";

/** The versions of the `funcpipe_rag` registry entries this pipeline was written against.
 * A producer has no registry; `pipespec check` compares these pins with the installed one. */
export const RAG_VERSIONS = {
  "rag.clean": "1.0.0",
  "rag.chunk": "1.0.0",
  "rag.embed": "1.0.0",
  "rag.index.sqlite": "1.0.0",
} as const;

export interface RagOptions {
  /** The `$schema` editor hint, not covered by the digest; none when absent. */
  readonly schemaHint?: string;
  readonly chunkSize?: number;
  readonly chunkOverlap?: number;
  readonly embeddingDim?: number;
}

/** Clean documents, cut them into chunks, embed the chunks and upsert them into an SQLite
 * index: the unsealed pipeline, members in the order examples/rag.json writes them. */
export function ragPipeline(options: RagOptions = {}): PipespecPipeline {
  const clean: MapOp = {
    type: "Map",
    name: "clean",
    func_id: "rag.clean",
    func_version: RAG_VERSIONS["rag.clean"],
    error_policy: "skip",
    in_type: "Document",
    out_type: "Document",
    params: { normalize: "NFC", collapse_whitespace: true },
  };
  const chunk: FlatMapOp = {
    type: "FlatMap",
    name: "chunk",
    func_id: "rag.chunk",
    func_version: RAG_VERSIONS["rag.chunk"],
    error_policy: "collect",
    in_type: "Document",
    out_type: "Chunk",
    params: { size: options.chunkSize ?? 800, overlap: options.chunkOverlap ?? 80, unit: "chars" },
  };
  const embed: BatchMapOp = {
    type: "BatchMap",
    name: "embed",
    func_id: "rag.embed",
    func_version: RAG_VERSIONS["rag.embed"],
    max_batch_size: 64,
    error_policy: "fail_fast",
    in_type: "Chunk",
    out_type: "EmbeddedChunk",
    params: { dim: options.embeddingDim ?? 256, ngram: 3 },
  };
  const index: SinkOp = {
    type: "Sink",
    name: "index",
    sink_id: "rag.index.sqlite",
    sink_version: RAG_VERSIONS["rag.index.sqlite"],
    sink_contract: { idempotent: true },
    error_policy: "fail_fast",
    in_type: "EmbeddedChunk",
    out_type: "SinkReceipt",
    params: { path: "index.sqlite" },
  };
  return {
    ...(options.schemaHint === undefined ? {} : { $schema: options.schemaHint }),
    spec_version: "1",
    backend: "local",
    ops: [clean, chunk, embed, index],
    materialization_points: ["chunk"],
  };
}

/** Thrown when a built document fails the checks; carries every finding. */
export class InvalidDocument extends Error {
  constructor(readonly findings: readonly { code: string; path: string; message: string }[]) {
    super(findings.map((f) => `${f.code} ${f.message}`).join("\n"));
    this.name = "InvalidDocument";
  }
}

/** A document sealed, then checked as `pipespec validate` would (schema, names, digests);
 * refused before that if it holds a value the Python reader could not read back. */
export function sealChecked<T extends PipespecPipeline>(doc: T): T & { version: string } {
  const unwritable = findUnrepresentable(doc, { writable: true });
  if (unwritable !== null) throw new Unrepresentable(unwritable);
  const unsealed = checkData(doc, { sealed: false });
  if (unsealed.length > 0) throw new InvalidDocument(unsealed);
  const sealed = seal(doc);
  const findings = checkData(sealed);
  if (findings.length > 0) throw new InvalidDocument(findings);
  return sealed;
}

/** The sealed RAG pipeline. */
export function sealedRagPipeline(options: RagOptions = {}): PipespecPipeline & { version: string } {
  return sealChecked(ragPipeline(options));
}
