/** Checking a document as `pipespec validate` does: schema; then, if it passed, names and digests. */
import type { ErrorObject } from "ajv";
import { Unrepresentable } from "./canonical.js";
import {
  DUPLICATE_NAME,
  SCHEMA_INVALID,
  UNKNOWN_REFERENCE,
  byCodePoint,
  escapeToken,
  isObject,
  pointer,
  resolve,
  show,
  type Finding,
} from "./findings.js";
import { readJson } from "./read.js";
import { opVariants, validator } from "./schemas.js";
import { verify } from "./seal.js";

/** The checks this package implements, as conformance vectors name them. */
export const CHECKS = ["json", "values", "schema", "names", "digest"] as const;
export type Check = (typeof CHECKS)[number];

const OP_AT = /^\/ops\/[0-9]+$/;

function schemaFinding(error: ErrorObject, prefix: string): Finding {
  let at = prefix + error.instancePath;
  if (error.propertyName !== undefined) {
    // A `propertyNames` failure: the instance is the key itself, so point at it.
    at += "/" + escapeToken(error.propertyName);
  }
  const detail = error.message ?? error.keyword;
  return { code: SCHEMA_INVALID, path: at, message: `${detail} at ${at || "/"}` };
}

/** Findings of one validator run, with Python's pointer conventions: a missing property at
 * its object, an unknown one at the property (the first by code point, once per object),
 * a bad key at the key. */
function render(errors: readonly ErrorObject[], prefix: string): Finding[] {
  const unknown = new Map<string, string>();
  const findings: Finding[] = [];
  for (const error of errors) {
    if (error.keyword === "propertyNames" && error.propertyName === undefined) {
      // The wrapper of the key's own failures, which are reported at the key already.
      continue;
    }
    if (error.keyword === "additionalProperties") {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const seen = unknown.get(error.instancePath);
      if (seen === undefined || byCodePoint(key, seen) < 0) unknown.set(error.instancePath, key);
      continue;
    }
    findings.push(schemaFinding(error, prefix));
  }
  for (const [at, key] of unknown) {
    const where = `${prefix}${at}/${escapeToken(key)}`;
    findings.push({ code: SCHEMA_INVALID, path: where, message: `unknown property ${show(key)} at ${where}` });
  }
  return findings;
}

/** An op that matches no variant: the errors of the variant its `type` names, or, when it
 * names none, one finding about the tag (as the Python renderer does). */
function opFindings(op: unknown, at: string): Finding[] {
  const variants = opVariants();
  const options = [...variants.keys()].join(", ");
  if (!isObject(op)) {
    return [{ code: SCHEMA_INVALID, path: at, message: `expected an op object, found ${show(op)} at ${at}` }];
  }
  if (!Object.hasOwn(op, "type")) {
    return [{ code: SCHEMA_INVALID, path: at, message: `missing required property 'type' (one of ${options}) at ${at}` }];
  }
  const tag = op["type"];
  const variant = typeof tag === "string" ? variants.get(tag) : undefined;
  if (variant === undefined) {
    return [
      { code: SCHEMA_INVALID, path: `${at}/type`, message: `expected op type one of ${options}, found ${show(tag)} at ${at}/type` },
    ];
  }
  variant(op);
  return render(variant.errors ?? [], at);
}

/** Every schema error in `data`; empty when it is valid against the pipeline schema. */
export function schemaFindings(data: unknown): Finding[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // Ops that match no variant are reported through the variant they name; what ajv found
  // in the other variants on the way says nothing useful about them.
  const failingOps = new Set(errors.filter((e) => e.keyword === "oneOf" && OP_AT.test(e.instancePath)).map((e) => e.instancePath));
  const within = (at: string): boolean =>
    [...failingOps].some((op) => at === op || at.startsWith(op + "/"));
  const findings = render(
    errors.filter((e) => !within(e.instancePath)),
    "",
  );
  for (const at of failingOps) findings.push(...opFindings(resolve(data, at), at));
  return findings;
}

/** Errors only visible across a schema-valid document: repeated op names, references to
 * monoids or ops that are not there. */
export function nameFindings(doc: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const ops = doc["ops"] as Record<string, unknown>[];
  const firstSeen = new Map<unknown, number>();
  ops.forEach((op, index) => {
    const at = pointer(["ops", index, "name"]);
    const first = firstSeen.get(op["name"]);
    if (first === undefined) firstSeen.set(op["name"], index);
    else findings.push({ code: DUPLICATE_NAME, path: at, message: `op name ${show(op["name"])} is already used by /ops/${first} at ${at}` });
  });
  const monoids = (doc["monoids"] ?? {}) as Record<string, unknown>;
  ops.forEach((op, index) => {
    if (op["type"] === "Combine" && !Object.hasOwn(monoids, op["monoid_id"] as string)) {
      const at = pointer(["ops", index, "monoid_id"]);
      findings.push({ code: UNKNOWN_REFERENCE, path: at, message: `monoid ${show(op["monoid_id"])} is not defined in \`monoids\` at ${at}` });
    }
  });
  const points = (doc["materialization_points"] ?? []) as string[];
  points.forEach((name, index) => {
    if (!firstSeen.has(name)) {
      const at = pointer(["materialization_points", index]);
      findings.push({ code: UNKNOWN_REFERENCE, path: at, message: `materialization point ${show(name)} names no op at ${at}` });
    }
  });
  return findings;
}

/** Every error in parsed document data: schema first; then, if it passed, names and (with
 * `sealed`) digests, as `pipespec validate` reports them. */
export function checkData(data: unknown, { sealed = true }: { sealed?: boolean } = {}): Finding[] {
  const findings = schemaFindings(data);
  if (findings.length > 0) return findings;
  const doc = data as Record<string, unknown>;
  const all = nameFindings(doc);
  if (sealed) {
    try {
      all.push(...verify(doc));
    } catch (exc) {
      if (exc instanceof Unrepresentable) return [exc.finding];
      throw exc;
    }
  }
  return all;
}

/** Every error in a JSON text: reading first, then `checkData`. */
export function checkText(text: string, options: { sealed?: boolean } = {}): Finding[] {
  const read = readJson(text);
  return read.ok ? checkData(read.data, options) : [read.error];
}
