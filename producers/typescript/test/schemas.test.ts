/** Every file in schema/ loads into Ajv2020 in strict mode, its relative $refs resolved. */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { BASE_URI, SCHEMA_DIR, createAjv, loadSchemas, opVariants, validator } from "../src/schemas.js";

test("every schema file is loaded and compiles", () => {
  const files = readdirSync(SCHEMA_DIR).filter((n) => n.endsWith(".json")).sort();
  assert.deepEqual([...loadSchemas().keys()], files);
  const ajv = createAjv();
  for (const name of files) assert.equal(typeof ajv.getSchema(BASE_URI + name), "function", name);
});

test("each op variant is found by its type tag", () => {
  assert.deepEqual([...opVariants().keys()].sort(), ["BatchMap", "Combine", "FlatMap", "Map", "Sink"]);
});

test("the schemas need no keyword outside JSON Schema 2020-12 (strict mode throws on one)", () => {
  const strict = new Ajv2020({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true });
  for (const [name, schema] of loadSchemas()) strict.addSchema({ ...schema, $id: BASE_URI + name });
  assert.equal(typeof strict.getSchema(BASE_URI + "pipeline.schema.json"), "function");
});

test("ECMAScript regexes refuse a trailing line feed that Python's `$` would accept", () => {
  const validate = validator("common.schema.json");
  assert.equal(validate({}), true);
  const id = createAjv().getSchema(BASE_URI + "common.schema.json#/$defs/identifier")!;
  assert.equal(id("rag.clean"), true);
  assert.equal(id("rag.clean\n"), false);
  // Without the guard, the pattern alone already refuses it in ECMAScript.
  assert.equal(new RegExp("^[a-z][a-z0-9_]*$", "u").test("rag\n"), false);
});

test("maxLength counts code points: 2048 astral characters are a valid schema hint", () => {
  const validate = validator();
  const doc = { spec_version: "1", ops: [{ type: "Map", name: "m", func_id: "a", error_policy: "skip", in_type: "A", out_type: "A" }] };
  assert.equal(validate({ ...doc, $schema: "\u{1f600}".repeat(2048) }), true);
  assert.equal(validate({ ...doc, $schema: "\u{1f600}".repeat(2049) }), false);
});
