// `npm run report:schema`: regenerates report/report.schema.json from the TypeBox source.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from './json-schema.ts';

const target = fileURLToPath(new URL('./report.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
