/* Generated from schema/error-policy.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * What an op does with an item whose processing fails: `fail_fast` stops the run with an error naming the item, `skip` drops the item and counts it, `collect` routes the item and its error report to the error output.
 */
export type ErrorPolicy = "fail_fast" | "skip" | "collect";
