// ajv in strict mode: every fixture gets the verdict the manifest records, under both schemas,
// and a refusal points at the member `pipespec check` names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validators } from '../ajv.js';
import { CASES } from './support.js';

const compiled = validators();
// YAML 1.2 core schema, as pipespec reads it.
const load = (c) => (c.language === 'json' ? JSON.parse : (t) => parse(t, { version: '1.2', schema: 'core' }))(readFileSync(c.path, 'utf8'));

/** Every JSON Pointer an error names: the member itself, or the unknown member it found. */
const pointers = (errors) =>
  errors.flatMap((e) => [e.instancePath, ...(e.params.additionalProperty ? [`${e.instancePath}/${e.params.additionalProperty}`] : [])]);

describe('ajv (Ajv2020, ajv-formats, strict)', () => {
  for (const testCase of CASES) {
    it(testCase.file, () => {
      const document = load(testCase);
      for (const schema of ['canonical', 'specialized']) {
        const validate = compiled[schema];
        assert.equal(validate(document), testCase[schema], `${schema}: ${JSON.stringify(validate.errors)}`);
        if (!testCase[schema]) assert.ok(pointers(validate.errors).includes(testCase.check[0].pointer), JSON.stringify(validate.errors));
      }
    });
  }
});
