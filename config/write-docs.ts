// `npm run docs:config`: regenerates docs/config.md from the configuration schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from './docs.ts';

const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));
mkdirSync(fileURLToPath(new URL('../docs/', import.meta.url)), { recursive: true });
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target}`);
