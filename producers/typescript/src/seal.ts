/** Sealing and verifying `version` digests, as pipespec's Python `seal_data` and `verify_data`. */
import { digest } from "./canonical.js";
import { HASH_MISMATCH, UNSEALED, isObject, pointer, type Finding } from "./findings.js";

// Keys a digest leaves out: its own `version`, and at the root the `$schema` editor hint.
const ROOT_UNHASHED = new Set(["version", "$schema"]);
const MEMBER_UNHASHED = new Set(["version"]);

function without(obj: object, keys: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([key]) => !keys.has(key)));
}

/** The digest the versioned object at pointer `at` (root "", an op or a monoid) should carry. */
export function memberDigest(obj: object, at: string): string {
  return digest(without(obj, at === "" ? ROOT_UNHASHED : MEMBER_UNHASHED));
}

/** Every versioned object below the root, with its pointer, in document order. */
function* members(doc: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
  const ops = doc["ops"];
  if (Array.isArray(ops)) {
    for (const [index, op] of ops.entries()) if (isObject(op)) yield [pointer(["ops", index]), op];
  }
  const monoids = doc["monoids"];
  if (isObject(monoids)) {
    for (const [key, monoid] of Object.entries(monoids)) {
      if (isObject(monoid)) yield [pointer(["monoids", key]), monoid];
    }
  }
}

// An existing `version` keeps its place (spread keeps key order); a new one goes last.
function withVersion<T extends object>(obj: T, version: string): T & { version: string } {
  return { ...obj, version };
}

/** A copy of a schema-valid document with every `version` filled: each op and monoid
 * first, then the root, whose digest covers theirs. Throws `Unrepresentable` for a value
 * canonical JSON cannot carry. */
export function seal<T extends object>(doc: T): T & { version: string } {
  const data = doc as Record<string, unknown>;
  const sealed: Record<string, unknown> = { ...data };
  const ops = data["ops"];
  if (Array.isArray(ops)) {
    sealed["ops"] = ops.map((op: Record<string, unknown>, index) =>
      withVersion(op, memberDigest(op, pointer(["ops", index]))),
    );
  }
  const monoids = data["monoids"];
  if (isObject(monoids)) {
    sealed["monoids"] = Object.fromEntries(
      Object.entries(monoids).map(([key, monoid]) => {
        const obj = monoid as Record<string, unknown>;
        return [key, withVersion(obj, memberDigest(obj, pointer(["monoids", key])))];
      }),
    );
  }
  return withVersion(sealed, memberDigest(sealed, "")) as T & { version: string };
}

function checkOne(obj: Record<string, unknown>, at: string, what: string): Finding | null {
  const actual = memberDigest(obj, at);
  const written = obj["version"];
  if (written === undefined) {
    return {
      code: UNSEALED,
      path: at,
      message: `${what} has no \`version\` digest at ${at || "/"}; seal it (expected ${actual})`,
    };
  }
  if (written !== actual) {
    return {
      code: HASH_MISMATCH,
      path: `${at}/version`,
      message: `${what} digest does not match its content at ${at}/version: expected ${actual}, found ${String(written)}`,
    };
  }
  return null;
}

/** Every missing or wrong `version` digest of a schema-valid document: ops and monoids in
 * document order, then the root. Empty when every digest matches. */
export function verify(doc: Record<string, unknown>): Finding[] {
  const found: Finding[] = [];
  for (const [at, obj] of members(doc)) {
    const finding = checkOne(obj, at, at.startsWith("/ops/") ? "op" : "monoid");
    if (finding !== null) found.push(finding);
  }
  const root = checkOne(doc, "", "document");
  if (root !== null) found.push(root);
  return found;
}
