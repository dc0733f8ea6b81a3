/** Reading JSON text as the Python reader does: its refusals, in document order, at its JSON Pointers. */
import { MAX_SAFE_INTEGER } from "./canonical.js";
import { PARSE_ERROR, VALUE_UNREPRESENTABLE, pointer, show, type Finding } from "./findings.js";

export type ReadResult = { ok: true; data: unknown } | { ok: false; error: Finding };

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const INTEGER = /^-?[0-9]+$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES = '"\\/bfnrt';
// Checked before numbers, as Python does: `-Infinity` starts like one.
const CONSTANTS = ["NaN", "Infinity", "-Infinity"] as const;
const LITERALS = ["null", "true", "false"] as const;
// More digits than 2^53 has: out of range without converting them (there may be thousands).
const SAFE_DIGITS = String(MAX_SAFE_INTEGER).length;
const MAX_SAFE = BigInt(MAX_SAFE_INTEGER);
// As in Python, a key's fault is reported at the object that holds it: the pointer of the
// key itself could not be written as Unicode text either.
const LONE_KEY = "key contains a lone surrogate, which is not Unicode text";
const LONE_STRING = "string contains a lone surrogate, which is not Unicode text";

/** The data of a JSON text, or the first reason the Python reader would refuse it, with its
 * code and JSON Pointer: text that is not a document (a byte order mark, a raw lone
 * surrogate, a NUL character, nothing but whitespace), syntax and duplicate keys
 * (PARSE_ERROR), and values RFC 8785 cannot carry, `NaN` and `Infinity` among them
 * (VALUE_UNREPRESENTABLE). The one check it leaves out is the Python reader's size limits
 * (LIMIT_EXCEEDED: bytes, nesting depth, string length, number of values). */
export function readJson(text: string): ReadResult {
  const refused = textFault(text) ?? scan(text);
  if (refused !== null) return { ok: false, error: refused };
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (exc) {
    // The scan accepts only what JSON.parse accepts; this would be a bug in it.
    return { ok: false, error: { code: PARSE_ERROR, path: "", message: `not well-formed JSON: ${(exc as Error).message}` } };
  }
}

/** 1-based line and column (in code points, as Python counts) of `offset`; lines end at LF. */
function lineColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return [before.split("\n").length, [...before.slice(lineStart)].length + 1];
}

/** What Python's `encode` and `check_text` refuse before any parsing, all at the root. */
function textFault(text: string): Finding | null {
  const root = (message: string): Finding => ({ code: PARSE_ERROR, path: "", message });
  if (text.startsWith("\ufeff")) return root("the document starts with a byte order mark (U+FEFF); remove it");
  if (!text.isWellFormed()) {
    const at = [...text].findIndex((char) => !char.isWellFormed());
    const offset = [...text].slice(0, at).join("").length;
    const [line, column] = lineColumn(text, offset);
    const unit = text.charCodeAt(offset).toString(16).toUpperCase();
    return root(`not valid Unicode text: lone surrogate U+${unit} at line ${line}, column ${column}`);
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) {
    const [line, column] = lineColumn(text, nul);
    return root(`NUL character at line ${line}, column ${column} (UTF-16 or binary data?); documents must be UTF-8 text`);
  }
  WHITESPACE.lastIndex = 0;
  WHITESPACE.exec(text);
  return WHITESPACE.lastIndex === text.length ? root("empty document") : null;
}

type Frame =
  | { kind: "object"; key: string | null; firsts: Map<string, number> }
  | { kind: "array"; index: number };

/** The first refusal in a JSON text, in document order, or null if the Python reader would
 * read it (size limits aside).
 *
 * JSON.parse keeps neither a number's literal, nor the position of a value, nor the first
 * of two equal keys, and refuses `NaN` as syntax; the verdict depends on all of them:
 * `10000000000000000` is an integer beyond ±(2^53−1) and refused, `1e16` is a float and
 * accepted. So the text is scanned as Python's scanner does, with an explicit stack (no
 * recursion, however deep the nesting), tracking the JSON Pointer of each value. */
function scan(text: string): Finding | null {
  const frames: Frame[] = [];
  // An object's key is part of the pointer once it is read, until the next one is.
  const path = (): (string | number)[] =>
    frames.flatMap((frame): (string | number)[] => (frame.kind === "array" ? [frame.index] : frame.key === null ? [] : [frame.key]));
  const fail = (code: string, message: string, at: (string | number)[] = path()): Finding => {
    const where = pointer(at);
    return { code, path: where, message: `${message} at ${where || "/"}` };
  };
  const syntax = (message: string, offset: number): Finding => {
    const [line, column] = lineColumn(text, offset);
    return fail(PARSE_ERROR, `JSON syntax error at line ${line}, column ${column}: ${message}`);
  };
  const skipSpace = (from: number): number => {
    WHITESPACE.lastIndex = from;
    WHITESPACE.exec(text);
    return WHITESPACE.lastIndex;
  };

  /** The string starting with the quote at `start` and the offset after it, or a syntax error. */
  const readString = (start: number): { value: string; end: number } | Finding => {
    let j = start + 1;
    for (;;) {
      if (j >= text.length) return syntax("Unterminated string", start);
      const unit = text.charCodeAt(j);
      if (unit === 0x22) break;
      if (unit < 0x20) return syntax("Invalid control character", j);
      if (unit === 0x5c) {
        const escape = text[j + 1];
        if (escape === "u") {
          if (!HEX4.test(text.slice(j + 2, j + 6))) return syntax("Invalid \\uXXXX escape", j);
          j += 6;
        } else if (escape !== undefined && SIMPLE_ESCAPES.includes(escape)) {
          j += 2;
        } else {
          return syntax("Invalid \\escape", j);
        }
      } else {
        j++;
      }
    }
    return { value: JSON.parse(text.slice(start, j + 1)) as string, end: j + 1 };
  };

  /** Reads an object member's key and colon at `i` into `frame`: where its value starts. */
  const member = (frame: Extract<Frame, { kind: "object" }>, i: number): number | Finding => {
    frame.key = null;
    if (text[i] !== '"') return syntax("Expecting property name enclosed in double quotes", i);
    const key = readString(i);
    if (!("value" in key)) return key;
    if (!key.value.isWellFormed()) return fail(VALUE_UNREPRESENTABLE, LONE_KEY);
    const first = frame.firsts.get(key.value);
    if (first !== undefined) {
      const [line, column] = lineColumn(text, first);
      return fail(PARSE_ERROR, `duplicate key ${show(key.value)} (first at line ${line}, column ${column})`, [...path(), key.value]);
    }
    frame.firsts.set(key.value, i);
    frame.key = key.value;
    const colon = skipSpace(key.end);
    if (text[colon] !== ":") return syntax("Expecting ':' delimiter", colon);
    return skipSpace(colon + 1);
  };

  let i = skipSpace(0);
  for (;;) {
    // A value starts at i.
    const char = text[i];
    if (char === "{" || char === "[") {
      i = skipSpace(i + 1);
      if (char === "{" && text[i] === "}") {
        i++;
      } else if (char === "[" && text[i] === "]") {
        i++;
      } else if (char === "{") {
        const frame: Frame = { kind: "object", key: null, firsts: new Map() };
        frames.push(frame);
        const next = member(frame, i);
        if (typeof next !== "number") return next;
        i = next;
        continue;
      } else {
        frames.push({ kind: "array", index: 0 });
        continue;
      }
    } else if (char === '"') {
      const string = readString(i);
      if (!("value" in string)) return string;
      if (!string.value.isWellFormed()) return fail(VALUE_UNREPRESENTABLE, LONE_STRING);
      i = string.end;
    } else {
      const constant = CONSTANTS.find((name) => text.startsWith(name, i));
      if (constant !== undefined) {
        return fail(VALUE_UNREPRESENTABLE, `${constant} is not a number canonical JSON can represent`);
      }
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0];
      const named = LITERALS.find((name) => text.startsWith(name, i));
      if (literal !== undefined) {
        i += literal.length;
        const fault = numberFault(literal);
        if (fault !== null) return fail(VALUE_UNREPRESENTABLE, fault);
      } else if (named !== undefined) {
        i += named.length;
      } else {
        return syntax("Expecting value", i);
      }
    }
    // A value ended: move to the next member, closing every container that ends here.
    for (;;) {
      i = skipSpace(i);
      const frame = frames.at(-1);
      if (frame === undefined) return i === text.length ? null : syntax("Extra data", i);
      if (text[i] === ",") {
        i = skipSpace(i + 1);
        if (frame.kind === "array") {
          frame.index++;
        } else {
          const next = member(frame, i);
          if (typeof next !== "number") return next;
          i = next;
        }
        break;
      }
      if (text[i] !== (frame.kind === "array" ? "]" : "}")) return syntax("Expecting ',' delimiter", i);
      i++;
      frames.pop();
    }
  }
}

/** Why a number literal cannot be read as canonical JSON reads it, or null. */
function numberFault(literal: string): string | null {
  if (INTEGER.test(literal)) {
    const digits = literal.replace("-", "");
    if (digits.length > SAFE_DIGITS || BigInt(digits) > MAX_SAFE) {
      return `integer ${shortNumber(literal)} is beyond ±(2^53-1), the exact range of a double`;
    }
  } else if (!Number.isFinite(Number(literal))) {
    return `number ${shortNumber(literal)} is too large for a double (it overflows to infinity)`;
  }
  return null;
}

/** A number's literal for a message, shortened: it may be thousands of digits long. */
function shortNumber(literal: string, limit = 40): string {
  return literal.length <= limit ? literal : `${literal.slice(0, 20)}...(${literal.length} characters)`;
}
