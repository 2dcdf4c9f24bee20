// The retro-matcher's decisions: which hits are news; that a disabled or failing search records nothing and never
// rejects (it runs in the background of an upload); and, over PGlite's cameras and chdb's events with vectors of
// known similarity to the face, that an event becomes a retro match through exactly the lists the live matcher's
// rule (pipelines/match/decide.ts) lets it pass on its camera.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { openRule } from '../../pipelines/match/decide.ts';
import type { WatchListRule } from '../../schemas/generated/avro-types.ts';
import { queryRetroMatches } from '../../stores/clickhouse/retro-matches.ts';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import { createAnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import { noClickHouse, testStores, type TestStores } from '../testing.ts';
import { RetroMatchConfig } from './config.ts';
import { createRetroMatcher, retroMatch, type EnrolledFace } from './matcher.ts';

const face: EnrolledFace = { faceId: 1, dossierId: 7, rules: [openRule('3')], modelId: 'm', vector: new Float32Array([1, 0]) };
const config = (o: Partial<RetroMatchConfig> = {}) => Value.Default(RetroMatchConfig, { ...o }) as RetroMatchConfig;

let stores: TestStores;
beforeAll(async () => {
  stores = await testStores();
}, 60_000);
afterAll(async () => {
  await stores?.close();
});

describe('createRetroMatcher', () => {
  it('defaults: on, a week, the match threshold, 1000 events', () => {
    expect(config()).toEqual({ enabled: true, window_hours: 168, limit: 1000 });
  });
  it('disabled: no search', async () => {
    const m = createRetroMatcher({ clickhouse: noClickHouse, db: stores.db, config: config({ enabled: false }), confidenceThreshold: 0.39, clock: () => 0, onError: () => expect.fail('searched') });
    expect(await m.afterEnrolment(face)).toBe(0);
  });
  it('a failed search is reported, resolves to 0, and idle() waits for it', async () => {
    const errors: unknown[] = [];
    const m = createRetroMatcher({ clickhouse: noClickHouse, db: stores.db, config: config(), confidenceThreshold: 0.39, clock: () => 0, onError: (err) => errors.push(err) });
    void m.afterEnrolment(face);
    await m.idle();
    expect(errors).toHaveLength(1);
  });
});

describe('retroMatch under the live rule', () => {
  const NOW = Date.now();
  const GLOBAL = 0.4;
  const FACE = new Float32Array([1, 0, 0, 0]);
  /** a unit vector whose cosine similarity to FACE is `s` */
  const at = (s: number) => new Float32Array([s, Math.sqrt(1 - s * s), 0, 0]);
  let x = '';
  let dossiers = 100;
  let cameraIds: Record<'x' | 'y', string> = { x: '', y: '' };

  /** The lists each event became a retro match through, for a new dossier on lists `rules`. */
  const retroLists = async (
    rules: readonly WatchListRule[],
    o: Partial<RetroMatchConfig> = {},
    { dossierId = ++dossiers, modelId = 'test-model' } = {},
  ): Promise<Record<string, readonly string[]>> => {
    const face = { faceId: dossierId, dossierId, rules, modelId, vector: FACE };
    const { client } = stores.store;
    const recorded = await retroMatch({ clickhouse: client, db: stores.db, config: config(o), confidenceThreshold: GLOBAL, clock: () => NOW }, face);
    const { matches } = await queryRetroMatches(client, { filter: { dossiers: [String(dossierId)] }, limit: 1000 });
    expect(matches).toHaveLength(recorded);
    return Object.fromEntries(matches.map((m) => [m.eventId, m.watchLists]));
  };
  const rule = (id: string, confidenceThreshold: number | null, cameraGroups: string[] = []): WatchListRule => ({ id, confidenceThreshold, cameraGroups });

  beforeAll(async () => {
    const { db } = stores;
    const gx = await createCameraGroup(db, { name: 'x' });
    const gy = await createCameraGroup(db, { name: 'y' });
    const gt = await createCameraGroup(db, { name: 't', confidence_threshold: 0.65 });
    x = String(gx.id);
    const camera = async (name: string, group: number, confidence_threshold: number | null = null) =>
      String((await createCamera(db, { name, camera_group_id: group, url: `rtsp://cam/${name}`, confidence_threshold })).id);
    const cams = {
      x: await camera('x', gx.id),
      y: await camera('y', gy.id),
      // its own threshold over the global one, above it and below it
      strict: await camera('strict', gx.id, 0.8),
      loose: await camera('loose', gy.id, 0.3),
      // its group's
      t: await camera('t', gt.id),
      // no longer in the identity store
      gone: 'gone',
    };
    const events: [string, keyof typeof cams, number][] = [
      ['x-0.50', 'x', 0.5],
      ['x-0.70', 'x', 0.7],
      ['x-0.35', 'x', 0.35],
      ['x-0.20', 'x', 0.2],
      ['y-0.90', 'y', 0.9],
      ['strict-0.70', 'strict', 0.7],
      ['strict-0.85', 'strict', 0.85],
      ['loose-0.35', 'loose', 0.35],
      ['t-0.62', 't', 0.62],
      ['t-0.70', 't', 0.7],
      ['gone-0.50', 'gone', 0.5],
    ];
    cameraIds = cams;
    const groupOf = new Map([
      [cams.x, x],
      [cams.strict, x],
      [cams.y, String(gy.id)],
      [cams.loose, String(gy.id)],
      [cams.t, String(gt.id)],
    ]);
    await createAnalyticsWriter({ client: stores.store.client, cameraGroupOf: (c) => groupOf.get(c) }).writeEvents(
      events.map(([id, cam, s], i) => testEvent({ id, camera: cams[cam], ts: NOW - (i + 1) * 60_000, vector: at(s) })),
    );
  }, 60_000);

  it("a list's own threshold, else the camera's, else its group's, else the global one; the match's lists are those passed", async () => {
    expect(await retroLists([rule('default', null), rule('strict', 0.6)])).toEqual({
      'x-0.50': ['default'],
      'x-0.70': ['default', 'strict'],
      'y-0.90': ['default', 'strict'],
      // the camera's 0.8 for the list without a threshold; the list's 0.6 comes first
      'strict-0.70': ['strict'],
      'strict-0.85': ['default', 'strict'],
      // the camera's 0.3 is below the global one: searched for, and passed
      'loose-0.35': ['default'],
      // the group's 0.65
      't-0.62': ['strict'],
      't-0.70': ['default', 'strict'],
      // an unknown camera: the global threshold
      'gone-0.50': ['default'],
    });
  });

  it('a list with camera groups: only events of cameras in them (never an unknown camera)', async () => {
    expect(await retroLists([rule('only-x', null, [x])])).toEqual({ 'x-0.50': ['only-x'], 'x-0.70': ['only-x'], 'strict-0.85': ['only-x'] });
  });

  it("a list's threshold below the global one is searched for", async () => {
    const all = ['x-0.50', 'x-0.70', 'x-0.35', 'y-0.90', 'strict-0.70', 'strict-0.85', 'loose-0.35', 't-0.62', 't-0.70', 'gone-0.50'];
    expect(await retroLists([rule('loose', 0.3)])).toEqual(Object.fromEntries(all.map((id) => [id, ['loose']])));
  });

  it('`api.retro_match.threshold` replaces the global threshold only', async () => {
    expect(await retroLists([rule('default', null)], { threshold: 0.6 })).toEqual({
      'x-0.70': ['default'],
      'y-0.90': ['default'],
      'strict-0.85': ['default'],
      'loose-0.35': ['default'],
      't-0.70': ['default'],
    });
  });

  it('a dossier on no list: no search, no match', async () => {
    expect(await retroLists([])).toEqual({});
  });

  it('`limit` counts matches: more similar events that pass no list do not take its places', async () => {
    const modelId = 'limit-model';
    await createAnalyticsWriter({ client: stores.store.client, cameraGroupOf: (c) => (c === cameraIds.x ? x : undefined) }).writeEvents(
      [['limit-y-0.95', cameraIds.y, 0.95] as const, ['limit-y-0.90', cameraIds.y, 0.9] as const, ['limit-x-0.70', cameraIds.x, 0.7] as const, ['limit-x-0.50', cameraIds.x, 0.5] as const].map(
        ([id, camera, s], i) => testEvent({ id, camera, ts: NOW - (i + 1) * 60_000, vector: at(s), modelId }),
      ),
    );
    expect(await retroLists([rule('only-x', null, [x])], { limit: 2 }, { modelId })).toEqual({ 'limit-x-0.70': ['only-x'], 'limit-x-0.50': ['only-x'] });
  });

  it('an event matched live to the dossier is news only when the new face matches it better', async () => {
    const modelId = 'news-model';
    const dossierId = 900;
    const event = (id: string, s: number, dossier: string | null, confidence: number, i: number) =>
      testEvent({ id, camera: cameraIds.x, ts: NOW - (i + 1) * 60_000, vector: at(s), modelId, dossier, confidence });
    await createAnalyticsWriter({ client: stores.store.client, cameraGroupOf: () => x }).writeEvents([
      event('news-unmatched', 0.6, null, 0.2, 0),
      event('news-other-dossier', 0.6, '901', 0.9, 1),
      event('news-better-live', 0.6, String(dossierId), 0.9, 2),
      event('news-as-good-live', 0.6, String(dossierId), 0.6, 3),
      event('news-worse-live', 0.6, String(dossierId), 0.5, 4),
    ]);
    expect(Object.keys(await retroLists([rule('default', null)], {}, { dossierId, modelId })).sort()).toEqual(['news-other-dossier', 'news-unmatched', 'news-worse-live']);
  });
});
