/** Error values: the codes the Node checks share with Python, and RFC 6901 JSON Pointers. */

/** One refusal, as `pipespec validate --format json` reports it (without line and column). */
export interface Finding {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export const PARSE_ERROR = "PARSE_ERROR";
export const VALUE_UNREPRESENTABLE = "VALUE_UNREPRESENTABLE";
export const SCHEMA_INVALID = "SCHEMA_INVALID";
export const DUPLICATE_NAME = "DUPLICATE_NAME";
export const UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE";
export const UNSEALED = "UNSEALED";
export const HASH_MISMATCH = "HASH_MISMATCH";

/** One reference token, escaped as RFC 6901 requires. */
export function escapeToken(token: string | number): string {
  return String(token).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The JSON Pointer naming the node reached by `parts` from the root. */
export function pointer(parts: readonly (string | number)[]): string {
  return parts.map((part) => "/" + escapeToken(part)).join("");
}

/** The node a JSON Pointer names in `data`, or undefined. */
export function resolve(data: unknown, at: string): unknown {
  if (at === "") return data;
  let node: unknown = data;
  for (const raw of at.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/** Whether `value` is a JSON object (a plain object, not an array or null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value shown briefly in a message, as JSON. */
export function show(value: unknown, limit = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
}

/** Compares strings by Unicode code point, as Python orders `str` (JavaScript's `<` compares
 * UTF-16 code units, which orders astral characters before U+E000–U+FFFF). */
export function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}
