// The report's JSON Schema as a document: what `report.schema.json` holds and what reports are checked against.
import { Report } from './schema.ts';

export function reportJsonSchema(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(Report)) };
}
