/** The canonical JSON Schema files of ../../schema, compiled with Ajv2020 and ajv-formats. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { AnySchemaObject, ValidateFunction } from "ajv";
import formats from "ajv-formats";

/** Where the schema files are: the repository's schema/ folder, the one source of truth. */
export const SCHEMA_DIR = fileURLToPath(new URL("../../../../schema/", import.meta.url));
/** Where the files are registered in memory, the same base the Python package uses. The
 * files carry no `$id`; their relative `$ref`s resolve against this base. */
export const BASE_URI = "file:///pipespec/schema/";
export const PIPELINE = "pipeline.schema.json";
const OP = "op.schema.json";

/** Every `*.schema.json` file in `dir`, parsed, by file name. */
export function loadSchemas(dir: string = SCHEMA_DIR): Map<string, AnySchemaObject> {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".schema.json"))
    .sort();
  if (names.length === 0) throw new Error(`no *.schema.json files in ${dir}`);
  return new Map(
    names.map((name) => [name, JSON.parse(readFileSync(`${dir}/${name}`, "utf8")) as AnySchemaObject]),
  );
}

/** An Ajv2020 instance (all errors, strict mode, formats on) holding every schema file. */
export function createAjv(dir: string = SCHEMA_DIR): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: true });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  formats.default(ajv);
  for (const [name, schema] of loadSchemas(dir)) {
    ajv.addSchema({ ...schema, $id: BASE_URI + name });
  }
  return ajv;
}

let shared: Ajv2020 | undefined;

/** The shared Ajv instance, compiled once per process. */
export function ajv(): Ajv2020 {
  shared ??= createAjv();
  return shared;
}

/** The compiled validator of one schema file (the pipeline schema by default). */
export function validator(name: string = PIPELINE): ValidateFunction {
  const compiled = ajv().getSchema(BASE_URI + name);
  if (compiled === undefined) throw new Error(`unknown schema file ${name}`);
  return compiled;
}

let variants: Map<string, ValidateFunction> | undefined;

/** One validator per op variant, keyed by the `type` tag the variant requires. */
export function opVariants(): Map<string, ValidateFunction> {
  if (variants === undefined) {
    const found = new Map<string, ValidateFunction>();
    const defs = (ajv().getSchema(BASE_URI + OP)?.schema as AnySchemaObject)["$defs"] as Record<
      string,
      AnySchemaObject
    >;
    for (const [key, schema] of Object.entries(defs)) {
      const tag = (schema["properties"] as Record<string, AnySchemaObject>)["type"]?.["const"];
      const compiled = ajv().getSchema(`${BASE_URI}${OP}#/$defs/${key}`);
      if (typeof tag !== "string" || compiled === undefined) {
        throw new Error(`op variant ${key} has no const type tag`);
      }
      found.set(tag, compiled);
    }
    variants = found;
  }
  return variants;
}
