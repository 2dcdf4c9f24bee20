// The retro-matcher's decisions without a store: which hits are news, and that a disabled or failing search
// records nothing and never rejects (it runs in the background of an upload).
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import type { SimilarEvent } from '../../stores/clickhouse/similar-events.ts';
import { noClickHouse } from '../testing.ts';
import { RetroMatchConfig } from './config.ts';
import { createRetroMatcher, isRetroMatch, type EnrolledFace } from './matcher.ts';

const hit = (matched: boolean, dossier: string | null, eventConfidence: number, confidence: number) =>
  ({ confidence, event: { matched, dossier, confidence: eventConfidence } }) as unknown as SimilarEvent;
const face: EnrolledFace = { faceId: 1, dossierId: 7, watchListIds: [3], modelId: 'm', vector: new Float32Array([1, 0]) };
const config = (o: Partial<RetroMatchConfig> = {}) => Value.Default(RetroMatchConfig, { ...o }) as RetroMatchConfig;

describe('isRetroMatch', () => {
  it('an unmatched event, or one matched to another dossier, is news', () => {
    expect(isRetroMatch(hit(false, null, 0.2, 0.6), '7')).toBe(true);
    expect(isRetroMatch(hit(true, '8', 0.9, 0.6), '7')).toBe(true);
  });
  it('an event matched live to this dossier is news only when the new face matches it better', () => {
    expect(isRetroMatch(hit(true, '7', 0.9, 0.6), '7')).toBe(false);
    expect(isRetroMatch(hit(true, '7', 0.6, 0.6), '7')).toBe(false);
    expect(isRetroMatch(hit(true, '7', 0.5, 0.6), '7')).toBe(true);
  });
});

describe('createRetroMatcher', () => {
  it('defaults: on, a week, the match threshold, 1000 events', () => {
    expect(config()).toEqual({ enabled: true, window_hours: 168, limit: 1000 });
  });
  it('disabled: no search', async () => {
    const m = createRetroMatcher({ clickhouse: noClickHouse, config: config({ enabled: false }), confidenceThreshold: 0.39, clock: () => 0, onError: () => expect.fail('searched') });
    expect(await m.afterEnrolment(face)).toBe(0);
  });
  it('a failed search is reported, resolves to 0, and idle() waits for it', async () => {
    const errors: unknown[] = [];
    const m = createRetroMatcher({ clickhouse: noClickHouse, config: config(), confidenceThreshold: 0.39, clock: () => 0, onError: (err) => errors.push(err) });
    void m.afterEnrolment(face);
    await m.idle();
    expect(errors).toHaveLength(1);
  });
});
