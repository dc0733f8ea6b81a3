/* Generated from schema/registry-manifest.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * Version of this manifest format.
 */
export type ManifestFormatVersion = "1";
/**
 * The id documents use in `func_id`, `lift_id`, `sink_id` or a custom monoid's `name`.
 */
export type Id = RegistryIdentifier;
/**
 * An id looked up by exact match in a registry that code provides: lowercase ASCII letters, digits and underscores, in dot-separated segments that each start with a letter.
 */
export type RegistryIdentifier = string;
/**
 * The version documents pin in `func_version`, `lift_version`, `sink_version` or `factory_version`.
 */
export type Version = RegistryVersion;
/**
 * The version a registry entry declares, pinned by the document so that a changed implementation is refused.
 */
export type RegistryVersion = string;
/**
 * Which ops may use the entry: `map`, `flat_map` and `batch_map` functions for Map, FlatMap and BatchMap ops, `lift` for Combine ops, `sink` for Sink ops, `monoid` for custom monoids; a `reader` turns a run's input path into the items of its `out_type` (`in_type` is `Path`).
 */
export type Kind = "map" | "flat_map" | "batch_map" | "lift" | "sink" | "monoid" | "reader";
/**
 * Type of the items the entry consumes; for a monoid, its value type.
 */
export type InputType = ItemTypeName;
/**
 * The declared type of the items an op consumes or produces, compared as an exact string: a name, optionally with bracketed parameters.
 */
export type ItemTypeName = string;
/**
 * Type of what the entry produces; for a monoid, its value type.
 */
export type OutputType = ItemTypeName;
/**
 * For sinks: the contract a Sink op must declare.
 */
export type SinkContract = SinkContract1;
/**
 * True when writing the same item twice leaves the same result as writing it once, so a retried task cannot duplicate output.
 */
export type Idempotent = boolean;
/**
 * For monoids: whether the order of combination does not matter.
 */
export type Commutative = boolean;
/**
 * What the entry does, for people and editors.
 */
export type Description = string;
/**
 * Registry entries, sorted by id.
 */
export type Entries = RegistryEntry[];
/**
 * The monoid's name.
 */
export type Name = RegistryIdentifier;
/**
 * Whether the order of combination does not matter.
 */
export type Commutative1 = boolean;
/**
 * What the monoid computes and its identity.
 */
export type Description1 = string;
/**
 * Names usable as `{"type": "built_in", "name": ...}` monoids without any registry entry.
 */
export type BuiltInMonoids = BuiltInMonoid[];

/**
 * What `pipespec registry` prints: every entry of the installed registry with what a producer in any language needs to write a valid spec for it.
 */
export interface PipespecRegistryManifest {
  manifest_version: ManifestFormatVersion;
  entries: Entries;
  builtin_monoids: BuiltInMonoids;
}
/**
 * One function, lift, sink or monoid factory a document may refer to by id.
 */
export interface RegistryEntry {
  id: Id;
  version: Version;
  kind: Kind;
  in_type: InputType;
  out_type: OutputType;
  params_schema: ParamsSchema;
  sink_contract?: SinkContract;
  commutative?: Commutative;
  description?: Description;
}
/**
 * The closed JSON Schema the `params` of an op or monoid using this entry must match.
 */
export interface ParamsSchema {
  [k: string]: unknown | undefined;
}
/**
 * What a sink promises about repeated writes; backends that may retry tasks rely on it.
 */
export interface SinkContract1 {
  idempotent: Idempotent;
}
/**
 * A monoid pipespec itself provides.
 */
export interface BuiltInMonoid {
  name: Name;
  commutative: Commutative1;
  description: Description1;
}
