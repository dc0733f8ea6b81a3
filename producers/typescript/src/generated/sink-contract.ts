/* Generated from schema/sink-contract.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * True when writing the same item twice leaves the same result as writing it once, so a retried task cannot duplicate output.
 */
export type Idempotent = boolean;

/**
 * What a sink promises about repeated writes; backends that may retry tasks rely on it.
 */
export interface SinkContract {
  idempotent: Idempotent;
}
