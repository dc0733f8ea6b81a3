/* Generated from schema/monoid.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * `built_in` for a monoid pipespec provides, `custom` for one a registry factory builds.
 */
export type MonoidKind = "built_in" | "custom";
/**
 * The built-in monoid's name or the registry id of the custom monoid factory.
 */
export type MonoidName = RegistryIdentifier;
/**
 * An id looked up by exact match in a registry that code provides: lowercase ASCII letters, digits and underscores, in dot-separated segments that each start with a letter.
 */
export type RegistryIdentifier = string;
/**
 * For a custom monoid, the version of the factory's registry entry this document was sealed against; filled by `pipespec seal`.
 */
export type FactoryVersion = RegistryVersion;
/**
 * The version a registry entry declares, pinned by the document so that a changed implementation is refused.
 */
export type RegistryVersion = string;
/**
 * Digest of this monoid object without its `version` member; filled by `pipespec seal`.
 */
export type MonoidDigest = ContentDigest;
/**
 * "sha256:" followed by the lowercase hex SHA-256 of the RFC 8785 canonical UTF-8 bytes of the object that holds it, without its own `version` member (and without `$schema` at the root).
 */
export type ContentDigest = string;

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
