// Shared by the editor-engine tests: paths, the fixture manifest, and language services that
// read schemas from this checkout only (a request for anything else fails: no network).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';

const require = createRequire(import.meta.url);
// The package's main module starts a server; the language service is the library part.
const jsonLanguageService = require('vscode-json-languageservice');
const yamlLanguageService = require('yaml-language-server/out/server/src/languageservice/yamlLanguageService.js');

export const EDITORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(EDITORS, '..');
export const SCHEMA_DIR = path.join(REPO, 'schema');
/** Where `pipespec schema --out schemas --specialize` was run: editors/ plays a user's repo. */
export const WORKSPACE = EDITORS;

export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
export const fileUri = (file) => pathToFileURL(file).toString();
export const CASES = readJson(path.join(EDITORS, 'fixtures', 'cases.json')).cases.map((c) => ({
  ...c,
  path: path.resolve(EDITORS, c.file),
  language: c.file.endsWith('.json') ? 'json' : 'yaml',
}));
export const SPECIALIZED = path.join(EDITORS, 'schemas', 'pipeline.specialized.schema.json');
export const CATALOG = readJson(path.join(EDITORS, 'catalog.json'));
export const VSCODE_SETTINGS = readJson(path.join(REPO, 'examples', 'vscode', 'settings.json'));

/** The published location of schema/ in the catalog, served from this checkout instead. */
export const PUBLISHED = CATALOG.schemas[0].url.replace(/schema\/pipeline\.schema\.json$/, '');

/** Maps a schema URI to a file of this checkout; records every request. */
export function schemaReader() {
  const requested = [];
  const read = async (uri) => {
    requested.push(uri);
    const local = uri.startsWith(PUBLISHED) ? fileUri(path.join(REPO, uri.slice(PUBLISHED.length))) : uri;
    if (!local.startsWith('file:')) throw new Error(`no network in tests: ${uri}`);
    return readFileSync(fileURLToPath(local), 'utf8');
  };
  return { read, requested };
}

const resolveRelativePath = (relative, resource) => new URL(relative, resource).toString();

/** A yaml-language-server service with these schema associations ({uri, fileMatch}). */
export function yamlService(schemas = []) {
  const reader = schemaReader();
  const service = yamlLanguageService.getLanguageService({
    schemaRequestService: reader.read,
    workspaceContext: { resolveRelativePath },
  });
  service.configure({ validate: true, completion: true, hover: true, schemas });
  return { service, requested: reader.requested };
}

/** A vscode-json-languageservice service with these schema associations ({uri, fileMatch}). */
export function jsonService(schemas = []) {
  const reader = schemaReader();
  const service = jsonLanguageService.getLanguageService({
    schemaRequestService: reader.read,
    workspaceContext: { resolveRelativePath },
    clientCapabilities: jsonLanguageService.ClientCapabilities.LATEST,
  });
  service.configure({ validate: true, allowComments: false, schemas });
  return { service, requested: reader.requested };
}

// yaml-language-server caches parsed documents by URI and version: every text gets its own.
let version = 0;

export function textDocument(file, language, text = readFileSync(file, 'utf8')) {
  version += 1;
  return TextDocument.create(fileUri(file), language, version, text);
}

/** Diagnostics from either engine for one file. */
export async function diagnose(engine, file, language, text) {
  const document = textDocument(file, language, text);
  if (language === 'yaml') return engine.service.doValidation(document, false);
  const parsed = engine.service.parseJSONDocument(document);
  return engine.service.doValidation(document, parsed, { schemaValidation: 'error' });
}

/** Asserts the engine's verdict and, for a broken document, the line `pipespec check` names. */
export function assertVerdict(diagnostics, valid, testCase) {
  const where = testCase.file;
  if (valid) {
    assert.deepEqual(diagnostics.map((d) => d.message), [], `${where} should be clean`);
    return;
  }
  assert.ok(diagnostics.length > 0, `${where} should get a diagnostic`);
  assert.deepEqual(new Set(lines(diagnostics)), new Set([testCase.check[0].line]), `${where}: ${JSON.stringify(diagnostics)}`);
}

/** Completion items where ``CURSOR`` stands in ``text`` (the marker is removed). */
export const CURSOR = '\u2038';

export async function complete(engine, file, language, text) {
  const offset = text.indexOf(CURSOR);
  if (offset < 0 || text.indexOf(CURSOR, offset + 1) >= 0) throw new Error('mark exactly one cursor');
  const document = textDocument(file, language, text.replace(CURSOR, ''));
  const position = document.positionAt(offset);
  const list =
    language === 'yaml'
      ? await engine.service.doComplete(document, position, false)
      : await engine.service.doComplete(document, position, engine.service.parseJSONDocument(document));
  return list.items;
}

/** The editor settings of examples/vscode/settings.json, as {uri, fileMatch} associations. */
export function vscodeAssociations(language) {
  const base = fileUri(WORKSPACE) + '/';
  if (language === 'json') {
    return VSCODE_SETTINGS['json.schemas'].map((s) => ({ uri: new URL(s.url, base).toString(), fileMatch: s.fileMatch }));
  }
  return Object.entries(VSCODE_SETTINGS['yaml.schemas']).map(([url, fileMatch]) => ({
    uri: new URL(url, base).toString(),
    fileMatch,
  }));
}

/** The SchemaStore-style catalog entry, as {uri, fileMatch} associations. */
export function catalogAssociations() {
  return CATALOG.schemas.map((s) => ({ uri: s.url, fileMatch: s.fileMatch }));
}

/** Line (1-based, like pipespec's errors) of every diagnostic. */
export const lines = (diagnostics) => diagnostics.map((d) => d.range.start.line + 1);
