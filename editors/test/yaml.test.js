// yaml-language-server, driven headlessly as a library, over the YAML documents.
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
  lines,
  readJson,
  vscodeAssociations,
  yamlService,
} from './support.js';

const yamlCases = CASES.filter((c) => c.language === 'yaml');
const fixtures = yamlCases.filter((c) => c.file.startsWith('fixtures/'));
const RAG = path.join(REPO, 'examples', 'rag.yaml');
const MODELINE = '# yaml-language-server: $schema=../schema/pipeline.schema.json';

describe('yaml-language-server', () => {
  it('checks every fixture against the specialised schema the VS Code settings example maps', async () => {
    const engine = yamlService(vscodeAssociations('yaml'));
    for (const testCase of fixtures) {
      assertVerdict(await diagnose(engine, testCase.path, 'yaml'), testCase.specialized, testCase);
    }
    assert.ok(engine.requested.includes(fileUri(SPECIALIZED)), engine.requested.join(', '));
  });

  it('checks every fixture against the canonical schema the catalog entry maps', async () => {
    const engine = yamlService(catalogAssociations());
    for (const testCase of fixtures) {
      assertVerdict(await diagnose(engine, testCase.path, 'yaml'), testCase.canonical, testCase);
    }
    // The relative $refs between the schema files resolve from the published location.
    assert.ok(engine.requested.includes(`${PUBLISHED}schema/op.schema.json`), engine.requested.join(', '));
  });

  it('follows the modeline of the sealed example: no diagnostics, and the schema is live', async () => {
    const text = readFileSync(RAG, 'utf8');
    assert.ok(text.startsWith(`${MODELINE}\n`));
    const engine = yamlService();
    assert.deepEqual(await diagnose(engine, RAG, 'yaml'), []);
    assert.ok(engine.requested.includes(fileUri(path.join(REPO, 'schema', 'pipeline.schema.json'))));
    const broken = text.replace('error_policy: skip', 'error_policy: sometimes');
    const line = broken.split('\n').findIndex((l) => l.includes('sometimes'));
    assert.deepEqual(lines(await diagnose(engine, RAG, 'yaml', broken)), [line + 1]);
  });

  it('accepts the sealed example against the specialised schema', async () => {
    const text = readFileSync(RAG, 'utf8').replace('../schema/pipeline.schema.json', '../editors/schemas/pipeline.specialized.schema.json');
    const engine = yamlService();
    assert.deepEqual(await diagnose(engine, RAG, 'yaml', text), []);
    assert.ok(engine.requested.includes(fileUri(SPECIALIZED)));
  });

  describe('completes op ids with the registered entries of the op kind', () => {
    const schema = readJson(SPECIALIZED);
    const ids = (variant, field) => schema.$defs[variant].properties[field].enum;
    const engine = yamlService(vscodeAssociations('yaml'));
    const file = path.join(REPO, 'editors', 'fixtures', 'typing.pipeline.yaml');
    const cases = [
      ['Map', 'func_id', 'map', 'fixtures/clean-chunk.pipeline.yaml', /func_id: rag\.clean/],
      ['FlatMap', 'func_id', 'flat_map', 'fixtures/clean-chunk.pipeline.yaml', /func_id: rag\.chunk/],
      ['Combine', 'lift_id', 'combine', 'fixtures/stats.pipeline.yaml', /lift_id: /],
    ];
    for (const [opType, field, variant, source, pattern] of cases) {
      it(`${opType} ${field}`, async () => {
        const original = readFileSync(path.join(REPO, 'editors', source), 'utf8').split('\n');
        const at = original.findIndex((l) => pattern.test(l));
        original[at] = `    ${field}: ${CURSOR}`;
        const items = await complete(engine, file, 'yaml', original.join('\n'));
        const expected = ids(variant, field);
        assert.ok(expected.length > 0);
        assert.deepEqual(items.map((i) => i.label).sort(), [...expected].sort());
        for (const item of items) assert.match(JSON.stringify(item.documentation), /version/);
      });
    }

    it('Sink sink_id: both sinks, and the map function is not among them', async () => {
      const text = [
        "spec_version: '1'",
        'ops:',
        '  - type: Sink',
        '    name: out',
        `    sink_id: ${CURSOR}`,
        '    error_policy: fail_fast',
        '    in_type: EmbeddedChunk',
        '    out_type: SinkReceipt',
        '    sink_contract: {idempotent: true}',
        '',
      ].join('\n');
      const items = await complete(engine, file, 'yaml', text);
      assert.deepEqual(items.map((i) => i.label).sort(), ['rag.index.sqlite', 'rag.sink.jsonl']);
    });
  });
});
