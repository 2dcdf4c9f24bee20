import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadAvroContracts } from '../avro/contracts.ts';
import { GENERATED_PATH, REGENERATE_COMMAND, generateAvroTypes, tsType } from './generate.ts';

describe('generated TypeScript', () => {
  it(`${GENERATED_PATH} matches a fresh generation`, () => {
    const committed = readFileSync(fileURLToPath(new URL(`../../${GENERATED_PATH}`, import.meta.url)), 'utf8');
    const fresh = generateAvroTypes(loadAvroContracts());
    expect(committed === fresh, `${GENERATED_PATH} is stale: run ${REGENERATE_COMMAND}`).toBe(true);
  });

  it('maps Avro types to TypeScript', () => {
    const t = (s: unknown): string => tsType(avro.Type.forSchema(s as avro.Schema), 'x');
    expect(t('long')).toBe('number');
    expect(t('bytes')).toBe('Buffer');
    expect(t(['null', 'string'])).toBe('string | null');
    expect(t({ type: 'array', items: ['null', 'float'] })).toBe('readonly (number | null)[]');
    expect(t({ type: 'map', values: 'string' })).toBe('Readonly<Record<string, string>>');
    expect(t({ type: 'long', logicalType: 'timestamp-millis' })).toBe('number');
    expect(() => t(['string', 'int'])).toThrow(/only \["null", T\] unions/);
  });

  it('emits docs as JSDoc and enums as literal unions', () => {
    const src = generateAvroTypes(loadAvroContracts());
    expect(src).toContain("export type Emotion = 'angry' | 'disgust' | 'fear' | 'happy' | 'sad' | 'surprise' | 'neutral';");
    expect(src).toContain('  /** Closest dossier faces, best first. */');
    expect(src).toMatch(/readonly 'dead-letter': Buffer \| null;/);
  });
});
