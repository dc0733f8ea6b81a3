// vscode-json-languageservice (the engine of VS Code's JSON support), driven headlessly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  CASES,
  assertVerdict,
  CURSOR,
  PUBLISHED,
  REPO,
  SPECIALIZED,
  catalogAssociations,
  complete,
  diagnose,
  fileUri,
  jsonService,
  lines,
  readJson,
  vscodeAssociations,
} from './support.js';

const fixtures = CASES.filter((c) => c.language === 'json' && c.file.startsWith('fixtures/'));
const RAG = path.join(REPO, 'examples', 'rag.json');

describe('vscode-json-languageservice', () => {
  it('has JSON fixtures both valid and broken under each schema', () => {
    assert.ok(fixtures.some((c) => !c.canonical) && fixtures.some((c) => c.canonical && !c.specialized));
  });

  it('checks every fixture against the specialised schema the VS Code settings example maps', async () => {
    const engine = jsonService(vscodeAssociations('json'));
    for (const testCase of fixtures) {
      assertVerdict(await diagnose(engine, testCase.path, 'json'), testCase.specialized, testCase);
    }
    assert.ok(engine.requested.includes(fileUri(SPECIALIZED)), engine.requested.join(', '));
  });

  it('checks every fixture against the canonical schema the catalog entry maps', async () => {
    const engine = jsonService(catalogAssociations());
    for (const testCase of fixtures) {
      assertVerdict(await diagnose(engine, testCase.path, 'json'), testCase.canonical, testCase);
    }
    assert.ok(engine.requested.includes(`${PUBLISHED}schema/op.schema.json`), engine.requested.join(', '));
  });

  it('follows the $schema member of the sealed example: no diagnostics, and the schema is live', async () => {
    const text = readFileSync(RAG, 'utf8');
    assert.equal(readJson(RAG).$schema, '../schema/pipeline.schema.json');
    const engine = jsonService();
    assert.deepEqual(await diagnose(engine, RAG, 'json'), []);
    assert.ok(engine.requested.includes(fileUri(path.join(REPO, 'schema', 'pipeline.schema.json'))));
    const broken = text.replace('"max_batch_size": 64', '"max_batch_size": "64"');
    const line = broken.split('\n').findIndex((l) => l.includes('"64"'));
    assert.deepEqual(lines(await diagnose(engine, RAG, 'json', broken)), [line + 1]);
  });

  it('accepts the sealed example against the specialised schema', async () => {
    const text = readFileSync(RAG, 'utf8').replace('../schema/pipeline.schema.json', '../editors/schemas/pipeline.specialized.schema.json');
    const engine = jsonService();
    assert.deepEqual(await diagnose(engine, RAG, 'json', text), []);
    assert.ok(engine.requested.includes(fileUri(SPECIALIZED)));
  });

  it('completes a BatchMap func_id with the registered batch_map entries only', async () => {
    const engine = jsonService(vscodeAssociations('json'));
    const file = path.join(REPO, 'editors', 'fixtures', 'typing.pipeline.json');
    const text = readFileSync(RAG, 'utf8')
      .replace(/\s*"\$schema": [^\n]*/, '')
      .replace('"func_id": "rag.embed"', `"func_id": ${CURSOR}`);
    const items = await complete(engine, file, 'json', text);
    const expected = readJson(SPECIALIZED).$defs.batch_map.properties.func_id.enum;
    assert.deepEqual(expected, ['rag.embed']);
    assert.deepEqual(items.map((i) => JSON.parse(i.label)), expected);
    assert.match(JSON.stringify(items[0].documentation), /Chunk/);
  });
});
