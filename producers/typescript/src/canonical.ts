/** RFC 8785 canonical JSON (the npm `canonicalize` package) and SHA-256 content digests. */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { VALUE_UNREPRESENTABLE, isObject, pointer, type Finding } from "./findings.js";

export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
const PREFIX = "sha256:";

/** The first value in `value` that RFC 8785 canonical JSON cannot carry, depth first, as a
 * finding (null when there is none): NaN, an infinity, a lone surrogate, or something that
 * is no JSON value at all (undefined, a function, a Date, a class instance).
 *
 * With `writable`, also an integer beyond ±(2^53−1) that JavaScript writes as an integer
 * literal (1e16 is written `10000000000000000`): the Python reader refuses such a literal,
 * so a producer must not write one. Beyond 1e21 numbers are written with an exponent and
 * read everywhere as floats. Digests do not need the rule: the bytes are the same whether
 * the value was read as an integer or a float. */
export function findUnrepresentable(
  value: unknown,
  { writable = false }: { writable?: boolean } = {},
): Finding | null {
  const refuse = (where: (string | number)[], what: string): Finding => ({
    code: VALUE_UNREPRESENTABLE,
    path: pointer(where),
    message: `cannot be written as RFC 8785 canonical JSON: ${what} at ${pointer(where) || "/"}`,
  });
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [node, where] = stack.pop()!;
    if (node === null || typeof node === "boolean") continue;
    if (typeof node === "number") {
      if (!Number.isFinite(node)) return refuse(where, `${node} is not a JSON number`);
      if (writable && Math.abs(node) > MAX_SAFE_INTEGER && !/[.e]/.test(String(node))) {
        return refuse(where, `integer ${node} is beyond ±(2^53-1)`);
      }
    } else if (typeof node === "string") {
      if (!node.isWellFormed()) return refuse(where, "string holds a lone UTF-16 surrogate");
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], [...where, i]]);
    } else if (isObject(node) && Object.getPrototypeOf(node) === Object.prototype) {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        if (!key.isWellFormed()) return refuse([...where, key], "object key holds a lone UTF-16 surrogate");
        stack.push([item, [...where, key]]);
      }
    } else {
      return refuse(where, `${typeof node === "object" ? node.constructor?.name : typeof node} is not a JSON value`);
    }
  }
  return null;
}

/** Thrown by the functions below for a value canonical JSON cannot carry. */
export class Unrepresentable extends Error {
  constructor(readonly finding: Finding) {
    super(finding.message);
    this.name = "Unrepresentable";
  }
}

/** The canonical text of a JSON value (RFC 8785: keys sorted by UTF-16 code units,
 * ECMAScript number form, minimal string escapes). */
export function canonicalText(value: unknown): string {
  const found = findUnrepresentable(value);
  if (found !== null) throw new Unrepresentable(found);
  const text = canonicalize(value);
  if (text === undefined) throw new Error("canonicalize returned nothing for a JSON value");
  return text;
}

/** The canonical UTF-8 bytes of a JSON value. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalText(value), "utf8");
}

/** `"sha256:"` + hex SHA-256 of the canonical bytes of `value`. */
export function digest(value: unknown): string {
  return PREFIX + createHash("sha256").update(canonicalBytes(value)).digest("hex");
}
