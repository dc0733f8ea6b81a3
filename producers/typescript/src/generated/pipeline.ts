/* Generated from schema/pipeline.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * URI or path of a JSON Schema for editors; ignored by pipespec and not covered by the root digest.
 */
export type SchemaHint = string;
/**
 * Version of this document format.
 */
export type SpecFormatVersion = "1";
/**
 * The ops in execution order; each op's `out_type` feeds the next op's `in_type`.
 *
 * @minItems 1
 * @maxItems 100000
 */
export type Ops = [Op, ...Op[]];
/**
 * One step of a pipeline, tagged by `type`. Each variant carries only the fields it uses.
 */
export type Op = MapOp | FlatMapOp | BatchMapOp | CombineOp | SinkOp;
/**
 * Tags this op as a Map.
 */
export type OpType = "Map";
/**
 * Name of this op, unique within the pipeline; `materialization_points` refer to it.
 */
export type OpName = Name;
/**
 * A name unique within its document: ASCII letters, digits, `_` and `-`, starting with a letter.
 */
export type Name = string;
/**
 * Registry id of the function this op applies.
 */
export type FunctionId = RegistryIdentifier;
/**
 * An id looked up by exact match in a registry that code provides: lowercase ASCII letters, digits and underscores, in dot-separated segments that each start with a letter.
 */
export type RegistryIdentifier = string;
/**
 * Version of the function's registry entry this document was sealed against.
 */
export type FunctionVersion = RegistryVersion;
/**
 * The version a registry entry declares, pinned by the document so that a changed implementation is refused.
 */
export type RegistryVersion = string;
/**
 * What this op does with an item whose processing fails.
 */
export type ErrorPolicy = ErrorPolicy1;
/**
 * What an op does with an item whose processing fails: `fail_fast` stops the run with an error naming the item, `skip` drops the item and counts it, `collect` routes the item and its error report to the error output.
 */
export type ErrorPolicy1 = "fail_fast" | "skip" | "collect";
/**
 * Declared type of the items this op consumes; must equal the previous op's `out_type` and the registry entry's input type.
 */
export type InputType = ItemTypeName;
/**
 * The declared type of the items an op consumes or produces, compared as an exact string: a name, optionally with bracketed parameters.
 */
export type ItemTypeName = string;
/**
 * Declared type of the items this op produces; must equal the next op's `in_type` and the registry entry's output type.
 */
export type OutputType = ItemTypeName;
/**
 * Digest of this op object without its `version` member; filled by `pipespec seal`.
 */
export type OpDigest = ContentDigest;
/**
 * "sha256:" followed by the lowercase hex SHA-256 of the RFC 8785 canonical UTF-8 bytes of the object that holds it, without its own `version` member (and without `$schema` at the root).
 */
export type ContentDigest = string;
/**
 * Tags this op as a FlatMap.
 */
export type OpType1 = "FlatMap";
/**
 * Name of this op, unique within the pipeline; `materialization_points` refer to it.
 */
export type OpName1 = Name;
/**
 * Registry id of the function this op applies.
 */
export type FunctionId1 = RegistryIdentifier;
/**
 * Version of the function's registry entry this document was sealed against.
 */
export type FunctionVersion1 = RegistryVersion;
/**
 * What this op does with an item whose processing fails.
 */
export type ErrorPolicy2 = ErrorPolicy1;
/**
 * Declared type of the items this op consumes; must equal the previous op's `out_type` and the registry entry's input type.
 */
export type InputType1 = ItemTypeName;
/**
 * Declared type of the items this op produces; must equal the next op's `in_type` and the registry entry's output type.
 */
export type OutputType1 = ItemTypeName;
/**
 * Digest of this op object without its `version` member; filled by `pipespec seal`.
 */
export type OpDigest1 = ContentDigest;
/**
 * Tags this op as a BatchMap.
 */
export type OpType2 = "BatchMap";
/**
 * Name of this op, unique within the pipeline; `materialization_points` refer to it.
 */
export type OpName2 = Name;
/**
 * Registry id of the function this op applies.
 */
export type FunctionId2 = RegistryIdentifier;
/**
 * Version of the function's registry entry this document was sealed against.
 */
export type FunctionVersion2 = RegistryVersion;
/**
 * Largest number of items handed to the function in one call; the last batch may be smaller.
 */
export type MaximumBatchSize = number;
/**
 * What this op does with an item whose processing fails.
 */
export type ErrorPolicy3 = ErrorPolicy1;
/**
 * Declared type of the items this op consumes; must equal the previous op's `out_type` and the registry entry's input type.
 */
export type InputType2 = ItemTypeName;
/**
 * Declared type of the items this op produces; must equal the next op's `in_type` and the registry entry's output type.
 */
export type OutputType2 = ItemTypeName;
/**
 * Digest of this op object without its `version` member; filled by `pipespec seal`.
 */
export type OpDigest2 = ContentDigest;
/**
 * Tags this op as a Combine.
 */
export type OpType3 = "Combine";
/**
 * Name of this op, unique within the pipeline; `materialization_points` refer to it.
 */
export type OpName3 = Name;
/**
 * Registry id of the function that lifts an item to a monoid value.
 */
export type LiftId = RegistryIdentifier;
/**
 * Version of the lift's registry entry this document was sealed against.
 */
export type LiftVersion = RegistryVersion;
/**
 * Key of the monoid, in the pipeline's `monoids`, that folds the lifted values.
 */
export type MonoidId = RegistryIdentifier;
/**
 * What this op does with an item whose processing fails.
 */
export type ErrorPolicy4 = ErrorPolicy1;
/**
 * Declared type of the items this op consumes; must equal the previous op's `out_type` and the registry entry's input type.
 */
export type InputType3 = ItemTypeName;
/**
 * Declared type of the items this op produces; must equal the next op's `in_type` and the registry entry's output type.
 */
export type OutputType3 = ItemTypeName;
/**
 * Digest of this op object without its `version` member; filled by `pipespec seal`.
 */
export type OpDigest3 = ContentDigest;
/**
 * Tags this op as a Sink.
 */
export type OpType4 = "Sink";
/**
 * Name of this op, unique within the pipeline; `materialization_points` refer to it.
 */
export type OpName4 = Name;
/**
 * Registry id of the sink.
 */
export type SinkId = RegistryIdentifier;
/**
 * Version of the sink's registry entry this document was sealed against.
 */
export type SinkVersion = RegistryVersion;
/**
 * What the sink promises about repeated writes; must agree with the registry entry.
 */
export type SinkContract = SinkContract1;
/**
 * True when writing the same item twice leaves the same result as writing it once, so a retried task cannot duplicate output.
 */
export type Idempotent = boolean;
/**
 * What this op does with an item whose processing fails.
 */
export type ErrorPolicy5 = ErrorPolicy1;
/**
 * Declared type of the items this op consumes; must equal the previous op's `out_type` and the registry entry's input type.
 */
export type InputType4 = ItemTypeName;
/**
 * Declared type of the items this op produces; must equal the next op's `in_type` and the registry entry's output type.
 */
export type OutputType4 = ItemTypeName;
/**
 * Digest of this op object without its `version` member; filled by `pipespec seal`.
 */
export type OpDigest4 = ContentDigest;
/**
 * `built_in` for a monoid pipespec provides, `custom` for one a registry factory builds.
 */
export type MonoidKind = "built_in" | "custom";
/**
 * The built-in monoid's name or the registry id of the custom monoid factory.
 */
export type MonoidName = RegistryIdentifier;
/**
 * For a custom monoid, the version of the factory's registry entry this document was sealed against; filled by `pipespec seal`.
 */
export type FactoryVersion = RegistryVersion;
/**
 * Digest of this monoid object without its `version` member; filled by `pipespec seal`.
 */
export type MonoidDigest = ContentDigest;
/**
 * Where the pipeline runs unless the command line says otherwise: the embedded `local` backend (the default when absent), `dask` or `beam`.
 */
export type Backend = "local" | "dask" | "beam";
/**
 * Number of worker processes a distributed backend starts.
 */
export type Workers = number;
/**
 * Threads each worker process runs.
 */
export type ThreadsPerWorker = number;
/**
 * Memory each worker may use before the backend intervenes.
 */
export type MemoryLimitPerWorkerMiB = number;
/**
 * Names of ops whose output is persisted so that later runs can resume from it.
 *
 * @maxItems 100000
 */
export type MaterializationPoints = Name[];
/**
 * Digest of the whole document without `version` and `$schema`; covers every op and monoid digest. Filled by `pipespec seal`.
 */
export type PipelineDigest = ContentDigest;

/**
 * A pipeline as pure data: a linear sequence of typed ops, the monoids they use, and where to run them. Turned into behaviour only by looking its ids up in a registry that code provides.
 */
export interface PipespecPipeline {
  $schema?: SchemaHint;
  spec_version: SpecFormatVersion;
  ops: Ops;
  monoids?: Monoids;
  backend?: Backend;
  resources?: Resources;
  materialization_points?: MaterializationPoints;
  version?: PipelineDigest;
}
/**
 * Applies a registered function to each item: one output per input.
 */
export interface MapOp {
  type: OpType;
  name: OpName;
  func_id: FunctionId;
  func_version?: FunctionVersion;
  error_policy: ErrorPolicy;
  in_type: InputType;
  out_type: OutputType;
  params?: OpParameters;
  version?: OpDigest;
}
/**
 * Parameters for the registry entry, validated against that entry's own params schema. Plain data: a `version` key inside it is not a digest.
 */
export interface OpParameters {
  [k: string]: unknown | undefined;
}
/**
 * Applies a registered function to each item and emits every element of the sequence it returns: zero or more outputs per input.
 */
export interface FlatMapOp {
  type: OpType1;
  name: OpName1;
  func_id: FunctionId1;
  func_version?: FunctionVersion1;
  error_policy: ErrorPolicy2;
  in_type: InputType1;
  out_type: OutputType1;
  params?: OpParameters1;
  version?: OpDigest1;
}
/**
 * Parameters for the registry entry, validated against that entry's own params schema. Plain data: a `version` key inside it is not a digest.
 */
export interface OpParameters1 {
  [k: string]: unknown | undefined;
}
/**
 * Applies a registered function to lists of at most `max_batch_size` items; it returns one output per input, in order.
 */
export interface BatchMapOp {
  type: OpType2;
  name: OpName2;
  func_id: FunctionId2;
  func_version?: FunctionVersion2;
  max_batch_size: MaximumBatchSize;
  error_policy: ErrorPolicy3;
  in_type: InputType2;
  out_type: OutputType2;
  params?: OpParameters2;
  version?: OpDigest2;
}
/**
 * Parameters for the registry entry, validated against that entry's own params schema. Plain data: a `version` key inside it is not a digest.
 */
export interface OpParameters2 {
  [k: string]: unknown | undefined;
}
/**
 * Lifts each item to a monoid value with a registered lift function and folds all of them with a monoid: one output.
 */
export interface CombineOp {
  type: OpType3;
  name: OpName3;
  lift_id: LiftId;
  lift_version?: LiftVersion;
  monoid_id: MonoidId;
  error_policy: ErrorPolicy4;
  in_type: InputType3;
  out_type: OutputType3;
  params?: OpParameters3;
  version?: OpDigest3;
}
/**
 * Parameters for the registry entry, validated against that entry's own params schema. Plain data: a `version` key inside it is not a digest.
 */
export interface OpParameters3 {
  [k: string]: unknown | undefined;
}
/**
 * Consumes every item and returns a receipt describing what it wrote.
 */
export interface SinkOp {
  type: OpType4;
  name: OpName4;
  sink_id: SinkId;
  sink_version?: SinkVersion;
  sink_contract: SinkContract;
  error_policy: ErrorPolicy5;
  in_type: InputType4;
  out_type: OutputType4;
  params?: OpParameters4;
  version?: OpDigest4;
}
/**
 * What a sink promises about repeated writes; backends that may retry tasks rely on it.
 */
export interface SinkContract1 {
  idempotent: Idempotent;
}
/**
 * Parameters for the registry entry, validated against that entry's own params schema. Plain data: a `version` key inside it is not a digest.
 */
export interface OpParameters4 {
  [k: string]: unknown | undefined;
}
/**
 * Monoids by id, referred to by Combine ops' `monoid_id`.
 */
export interface Monoids {
  [k: string]: Monoid | undefined;
}
/**
 * A monoid used by Combine ops: a built-in one (sum, max, min, count) or a custom one built by a registry factory from its params.
 */
export interface Monoid {
  type: MonoidKind;
  name: MonoidName;
  factory_version?: FactoryVersion;
  params?: MonoidParameters;
  version?: MonoidDigest;
}
/**
 * Parameters handed to the monoid factory. Plain data: a `version` key inside it is not a digest.
 */
export interface MonoidParameters {
  [k: string]: unknown | undefined;
}
/**
 * Hints for sizing the backend; absent members leave the backend's own defaults.
 */
export interface Resources {
  workers?: Workers;
  threads_per_worker?: ThreadsPerWorker;
  memory_limit_mb?: MemoryLimitPerWorkerMiB;
}
