/* Generated from schema/error-report.schema.json by json-schema-to-typescript (scripts/generate-types.mjs).
 * Do not edit: change the schema and run `npm run generate`. */

/**
 * Stable machine-readable code; the README lists every code.
 */
export type ErrorCode = string;
/**
 * What was expected and what was found.
 */
export type Message = string;
/**
 * RFC 6901 JSON Pointer to the offending node; empty for the whole document.
 */
export type JSONPointer = string;
/**
 * The file the document was read from, as given on the command line; absent for documents that were not read from a file.
 */
export type File = string;
/**
 * 1-based line of the offending node in the source text, when known.
 */
export type Line = number;
/**
 * 1-based column, in characters, of the offending node in the source text, when known.
 */
export type Column = number;
/**
 * What would have been accepted, when it can be said briefly.
 */
export type Expected = string;
/**
 * What the document held instead, when it can be said briefly.
 */
export type Found = string;
/**
 * What `pipespec validate --format json` (and every command with `--format json`) prints: a list of error reports, empty when everything is valid.
 */
export type PipespecErrorReports = ErrorReport[];

/**
 * One refusal: a stable code, a human-readable message and where in which document it applies.
 */
export interface ErrorReport {
  code: ErrorCode;
  message: Message;
  path: JSONPointer;
  file?: File;
  line?: Line;
  column?: Column;
  expected?: Expected;
  found?: Found;
}
