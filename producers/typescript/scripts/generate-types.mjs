// Generates src/generated/*.ts from the canonical JSON Schemas in ../../schema with
// json-schema-to-typescript, or with --check reports any drift between the two.
// The generated files are committed and never edited by hand: change schema/ and rerun.
import { readdir, readFile, writeFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { compile } from "json-schema-to-typescript";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA_DIR = path.resolve(HERE, "../../../schema");
const OUT_DIR = path.resolve(HERE, "../src/generated");
const HINT = "run: npm run generate (in producers/typescript)";

const BANNER = [
  "/* Generated from schema/SCHEMA by json-schema-to-typescript (scripts/generate-types.mjs).",
  " * Do not edit: change the schema and run `npm run generate`. */",
].join("\n");

const OPTIONS = {
  // Relative $refs between the schema files resolve against the schema folder.
  cwd: SCHEMA_DIR,
  // Every object in the schemas says what else it admits; never add an index signature.
  additionalProperties: false,
  // Free-form params are `unknown`, so producers must narrow before reading them.
  unknownAny: true,
  strictIndexSignatures: true,
  // Prettier (pinned by the lock file) formats the output, so it does not depend on the
  // machine; tuples stay bounded only by their minimum, not 100000 repeated members.
  format: true,
  maxItems: -1,
};

/** The TypeScript module generated from every schema file, by output file name. */
async function generateAll() {
  const names = (await readdir(SCHEMA_DIR)).filter((n) => n.endsWith(".schema.json")).sort();
  const modules = new Map();
  for (const name of names) {
    const schema = JSON.parse(await readFile(path.join(SCHEMA_DIR, name), "utf8"));
    // A file of shared `$defs` only (common.schema.json) describes no value of its own;
    // its definitions appear, named by their titles, in the modules that use them.
    if (!("type" in schema || "oneOf" in schema || "enum" in schema)) continue;
    const stem = name.replace(/\.schema\.json$/, "");
    const banner = BANNER.replace("SCHEMA", name);
    const source = await compile(schema, stem, { ...OPTIONS, bannerComment: banner });
    modules.set(`${stem}.ts`, source);
  }
  return modules;
}

async function main(argv) {
  const check = argv.includes("--check");
  const modules = await generateAll();
  const present = (await readdir(OUT_DIR).catch(() => [])).filter((n) => n.endsWith(".ts"));
  const problems = [];
  for (const [name, source] of modules) {
    const target = path.join(OUT_DIR, name);
    const current = await readFile(target, "utf8").catch(() => null);
    if (current === source) continue;
    if (check) problems.push(`${name}: ${current === null ? "missing" : "differs from what the schema generates"}`);
    else await writeFile(target, source);
  }
  for (const name of present.filter((n) => !modules.has(n))) {
    if (check) problems.push(`${name}: no schema generates it`);
    else await rm(path.join(OUT_DIR, name));
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`src/generated/${problem}`);
    console.error(`generated types are out of date; ${HINT}`);
    process.exit(1);
  }
  if (!check) console.log(`wrote ${modules.size} modules to src/generated/`);
}

await main(process.argv.slice(2));
