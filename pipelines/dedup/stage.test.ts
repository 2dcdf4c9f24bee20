// Deduplication in the episodes stage, with the camera groups read from PostgreSQL (PGlite): two cameras of a group
// with Deduplicate Events on see the same person → the second event's change names the first; a group with it off
// marks nothing; unmatched faces keep the better one; a restart goes on from the saved state.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import { EpisodesConfig } from '../episodes/config.ts';
import { createEpisodesStage } from '../episodes/stage.ts';
import { basis, faceEvent, mockContext } from '../runtime/testing/index.ts';
import { followDedupGroups, type FollowedDedupGroups } from './groups.ts';

const T0 = 1_800_000_000_000;
let db: Db;
let groups: FollowedDedupGroups;

beforeAll(async () => {
  db = (await openDatabase({})).db;
  const on = await createCameraGroup(db, { name: 'lobby', deduplicate: true, deduplicate_delay: 15 });
  const off = await createCameraGroup(db, { name: 'street' });
  for (const [name, g] of [['lobby-1', on], ['lobby-2', on], ['street-1', off], ['street-2', off]] as const) {
    await createCamera(db, { name, camera_group_id: g.id, url: `rtsp://127.0.0.1:1/${name}` });
  }
  groups = await followDedupGroups(db, { pollMs: 0, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await groups?.close();
  await db?.close();
});

const stage = () => createEpisodesStage({ config: validateOrThrow(EpisodesConfig, { episodes_threshold: 0.4 }, 'episodes'), dedupGroups: groups });

/** each event's verdict, from the change it caused */
async function verdicts(events: readonly FaceEvent[]): Promise<Record<string, string | null>> {
  const s = stage();
  const ctx = mockContext<EpisodeChange>({ now: T0 });
  await s.process(events, ctx);
  return Object.fromEntries(ctx.take().filter((c) => c.eventId !== null).map((c) => [c.eventId!, c.duplicateOf]));
}

describe('event deduplication in the episodes stage', () => {
  it('a matched person seen by two cameras of a deduplicating group within 15 s: the second event is marked', async () => {
    const events = [
      faceEvent({ id: 'a', camera: 'lobby-1', trackId: 't1', t: 0, vector: basis(0), dossier: 'alice' }),
      faceEvent({ id: 'b', camera: 'lobby-2', trackId: 't2', t: 5, vector: basis(0), dossier: 'alice' }),
      // 20 s after the kept event: reported again, and the new reference
      faceEvent({ id: 'c', camera: 'lobby-2', trackId: 't3', t: 20, vector: basis(0), dossier: 'alice' }),
      faceEvent({ id: 'd', camera: 'lobby-1', trackId: 't4', t: 30, vector: basis(0), dossier: 'alice' }),
    ];
    expect(await verdicts(events)).toEqual({ a: null, b: 'a', c: null, d: 'c' });
  });

  it('a group with deduplication off marks nothing', async () => {
    const events = [
      faceEvent({ id: 'a', camera: 'street-1', trackId: 't1', t: 0, vector: basis(0), dossier: 'alice' }),
      faceEvent({ id: 'b', camera: 'street-2', trackId: 't2', t: 5, vector: basis(0), dossier: 'alice' }),
      faceEvent({ id: 'c', camera: 'street-2', trackId: 't3', t: 6, vector: basis(1) }),
      faceEvent({ id: 'd', camera: 'street-1', trackId: 't4', t: 7, vector: basis(1) }),
    ];
    expect(await verdicts(events)).toEqual({ a: null, b: null, c: null, d: null });
  });

  it('unmatched: a similar face of higher quality is kept, one not better is a duplicate of the best kept', async () => {
    const events = [
      faceEvent({ id: 'a', camera: 'lobby-1', trackId: 't1', t: 0, vector: basis(1), quality: -2 }),
      faceEvent({ id: 'b', camera: 'lobby-2', trackId: 't2', t: 2, vector: basis(1), quality: -1 }),
      faceEvent({ id: 'c', camera: 'lobby-1', trackId: 't3', t: 4, vector: basis(1), quality: -1.5 }),
      // another person is never a duplicate
      faceEvent({ id: 'e', camera: 'lobby-2', trackId: 't4', t: 5, vector: basis(2), quality: -3 }),
    ];
    expect(await verdicts(events)).toEqual({ a: null, b: null, c: 'b', e: null });
  });

  it('the state saved after an event and restored into a new stage gives the same verdicts as no restart', async () => {
    const first = faceEvent({ id: 'a', camera: 'lobby-1', trackId: 't1', t: 0, vector: basis(0), dossier: 'alice' });
    const second = faceEvent({ id: 'b', camera: 'lobby-2', trackId: 't2', t: 5, vector: basis(0), dossier: 'alice' });
    const ctx = mockContext<EpisodeChange>({ now: T0 });
    const before = stage();
    await before.process([first], ctx);
    const saved = structuredClone(before.state!.takeChanges());
    const after = stage();
    after.state!.restore(saved);
    await after.process([second], ctx);
    expect(ctx.take().filter((c) => c.eventId === 'b').map((c) => c.duplicateOf)).toEqual(['a']);
  });
});
