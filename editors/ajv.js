// ajv (Ajv2020 with ajv-formats, strict mode) over the canonical schema files and a
// specialised schema: the verdicts the editor engines, python-jsonschema and jsonschema-rs
// must agree with.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = path.resolve(HERE, '..', 'schema');
export const SPECIALIZED = path.join(HERE, 'schemas', 'pipeline.specialized.schema.json');

/** Compiled validators: `canonical` from schema/, `specialized` from the given file. */
export function validators(specialized = SPECIALIZED) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Completion hints for editors (VS Code's extension keywords), not assertions.
  ajv.addVocabulary(['enumDescriptions', 'markdownEnumDescriptions']);
  // The files carry no $id: each is registered under its file URL, so relative $refs resolve.
  for (const name of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json')).sort()) {
    const file = path.join(SCHEMA_DIR, name);
    ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')), pathToFileURL(file).toString());
  }
  const canonical = ajv.getSchema(pathToFileURL(path.join(SCHEMA_DIR, 'pipeline.schema.json')).toString());
  return { canonical, specialized: ajv.compile(JSON.parse(readFileSync(specialized, 'utf8'))) };
}

/** Both verdicts for one document (already parsed: JSON data, as YAML 1.2 core reads it). */
export function verdicts(compiled, document) {
  return { canonical: compiled.canonical(document), specialized: compiled.specialized(document) };
}
