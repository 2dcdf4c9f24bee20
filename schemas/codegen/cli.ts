// Writes schemas/generated/avro-types.ts from schemas/avro/*.avsc.
// Usage: node bin/run-ts.js schemas/codegen/cli.ts [--check]
//   --check  write nothing; exit 1 when the committed file differs from a fresh generation
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAvroContracts } from '../avro/contracts.ts';
import { GENERATED_PATH, REGENERATE_COMMAND, generateAvroTypes } from './generate.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const target = resolve(root, GENERATED_PATH);
const fresh = generateAvroTypes(loadAvroContracts());

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== fresh) {
    console.error(`${GENERATED_PATH} is stale: run ${REGENERATE_COMMAND}`);
    process.exit(1);
  }
  console.log(`${GENERATED_PATH} is up to date`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, fresh);
  renameSync(tmp, target);
  console.log(`wrote ${GENERATED_PATH}`);
}
