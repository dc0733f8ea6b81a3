// Reads a JSON array of documents on stdin and prints ajv's verdicts on them, one
// {"canonical": bool, "specialized": bool} per document, for the Python cross-check.
// Usage: node verdicts.js [SPECIALIZED_SCHEMA] < documents.json
import { readFileSync } from 'node:fs';
import { validators, verdicts } from './ajv.js';

const compiled = validators(process.argv[2]);
const documents = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(documents.map((document) => verdicts(compiled, document))) + '\n');
