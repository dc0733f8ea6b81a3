#!/usr/bin/env node
/** Command line: build the RAG pipeline, check documents, report schema verdicts in bulk. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkText } from "./check.js";
import { Unrepresentable } from "./canonical.js";
import { InvalidDocument, sealedRagPipeline } from "./rag.js";
import { memberDigest } from "./seal.js";
import { SCHEMA_DIR, validator } from "./schemas.js";
import { readJson } from "./read.js";
import { isObject } from "./findings.js";

const USAGE = `usage:
  node dist/src/cli.js build-rag OUT.json [--schema-hint URI]
      write the sealed RAG pipeline; the hint defaults to the schema's path from OUT's folder
  node dist/src/cli.js check FILE...
      print every error as a JSON array of {file, code, path, message}; exit 1 if any
  node dist/src/cli.js hash FILE
      print the root digest of the document as given
  node dist/src/cli.js verdicts FILE
      FILE holds a JSON array of JSON texts; print ajv's schema verdict on each, as a JSON array
  node dist/src/cli.js findings FILE
      FILE holds a JSON array of JSON texts; print each one's errors as [code, pointer] pairs`;

/** The JSON text of a document as pipespec writes it: two-space indent, final newline. */
function dumpJson(data: unknown): string {
  return JSON.stringify(data, null, 2) + "\n";
}

function buildRag(args: string[]): number {
  const out = args[0];
  const flag = args.indexOf("--schema-hint");
  if (out === undefined || out.startsWith("--") || (flag !== -1 && args[flag + 1] === undefined)) {
    return usage();
  }
  const schemaHint =
    flag === -1
      ? path.relative(path.dirname(path.resolve(out)), path.join(SCHEMA_DIR, "pipeline.schema.json")).split(path.sep).join("/")
      : args[flag + 1]!;
  const doc = sealedRagPipeline({ schemaHint });
  writeFileSync(out, dumpJson(doc));
  console.log(`${out}\t${doc.version}`);
  return 0;
}

function check(files: string[]): number {
  if (files.length === 0) return usage();
  const reports = files.flatMap((file) => checkText(readFileSync(file, "utf8")).map((f) => ({ file, ...f })));
  console.log(JSON.stringify(reports, null, 2));
  return reports.length === 0 ? 0 : 1;
}

function hash(files: string[]): number {
  const [file] = files;
  if (file === undefined || files.length > 1) return usage();
  const read = readJson(readFileSync(file, "utf8"));
  if (!read.ok || !isObject(read.data)) {
    console.error(`${file}: ${read.ok ? "not a JSON object" : read.error.message}`);
    return 1;
  }
  console.log(memberDigest(read.data, ""));
  return 0;
}

/** Runs `each` on every JSON text of a file holding an array of them (one process for a
 * whole batch) and prints the results as a JSON array. */
function batch(files: string[], each: (text: string) => unknown): number {
  const [file] = files;
  if (file === undefined || files.length > 1) return usage();
  const texts: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === "string")) {
    console.error(`${file}: expected a JSON array of JSON texts`);
    return 2;
  }
  console.log(JSON.stringify(texts.map(each)));
  return 0;
}

function verdicts(files: string[]): number {
  const validate = validator();
  return batch(files, (text) => validate(JSON.parse(text)) === true);
}

function findings(files: string[]): number {
  return batch(files, (text) => checkText(text).map((f) => [f.code, f.path]));
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "build-rag":
        return buildRag(rest);
      case "check":
        return check(rest);
      case "hash":
        return hash(rest);
      case "verdicts":
        return verdicts(rest);
      case "findings":
        return findings(rest);
      default:
        return usage();
    }
  } catch (exc) {
    if (exc instanceof InvalidDocument || exc instanceof Unrepresentable) {
      console.error(exc.message);
      return 1;
    }
    if (exc instanceof Error && "code" in exc && typeof exc.code === "string" && exc.code.startsWith("E")) {
      console.error(exc.message); // a file system error: missing, unreadable
      return 2;
    }
    throw exc;
  }
}

process.exitCode = main(process.argv.slice(2));
