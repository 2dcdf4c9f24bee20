// Retro-match with the project's face models and real photos (shared/data/faces/deepface): events of person A,
// unmatched when they happened, lie in chdb with the vectors of real faces; adding a photo of A to a dossier raises
// retro matches for exactly A's events inside the window, once, seen only by readers of the camera group and list;
// and only through the lists that the live matcher's rule lets the event pass on its camera (person D).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepfacePath } from '../models/testing/deepface.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../stores/postgres/repositories/cameras.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { listedIds, multipart, photoEventsApi, testUser, type PhotoEventsApi } from './testing.ts';

const HOUR = 3600_000;
const NOW = Date.now();

let h: PhotoEventsApi;
let wanted = 0;
let anna = 0;
let boris = 0;
let dora = 0;
/** Dora's lists: on cameras of group `doors` only; a threshold no other photo reaches; open; inactive */
const lists = { doors: 0, strict: 0, open: 0, paused: 0 };

// master.csv: img1, img2, img4, img5 are one person (A); img20/img21 another (B); img17 (C)
const EVENTS = [
  { id: 'a2', file: 'img2.jpg', camera: 'cam-a', ago: 2 * HOUR },
  { id: 'a4', file: 'img4.jpg', camera: 'cam-b', ago: 72 * HOUR },
  // outside the default window (168 h)
  { id: 'a1-old', file: 'img1.jpg', camera: 'cam-a', ago: 240 * HOUR },
  { id: 'b21', file: 'img21.jpg', camera: 'cam-a', ago: 1 * HOUR },
  { id: 'c17', file: 'img17.jpg', camera: 'cam-b', ago: 3 * HOUR },
  // A, already matched live to Anna more confidently than any photo will: no retro match
  { id: 'a4-live', file: 'img4.jpg', camera: 'cam-b', ago: 24 * HOUR, live: true },
];

const enrol = async (dossier: number, file: string) => {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/dossier-faces',
    ...multipart([{ name: 'dossier', value: String(dossier) }, { name: 'source_photo', filename: file, type: 'image/jpeg', value: readFileSync(deepfacePath(file)) }]),
  });
  expect(r.statusCode, r.body).toBe(201);
  await h.app.retroMatch.idle();
};

interface Item {
  confidence: number;
  dossier_face: string;
  watch_lists: string[];
  event: { id: string; matched: boolean };
  dossier: { id: number; name: string };
}
const retro = async (query = '', headers: Record<string, string> = {}): Promise<{ results: Item[]; next_page: string | null }> => {
  const r = await h.app.inject({ method: 'GET', url: `/api/v1/retro-matches${query}`, headers });
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as { results: Item[]; next_page: string | null };
};

beforeAll(async () => {
  h = await photoEventsApi(async (db) => {
    wanted = (await createWatchList(db, { name: 'wanted' })).id;
    anna = (await createDossier(db, { name: 'Anna', watch_list_ids: [wanted] })).id;
    boris = (await createDossier(db, { name: 'Boris', watch_list_ids: [wanted] })).id;
    const doors = (await createCameraGroup(db, { name: 'doors' })).id;
    const gates = (await createCameraGroup(db, { name: 'gates' })).id;
    const door = await createCamera(db, { name: 'door', camera_group_id: doors, url: 'rtsp://cam/door' });
    const gate = await createCamera(db, { name: 'gate', camera_group_id: gates, url: 'rtsp://cam/gate' });
    lists.doors = (await createWatchList(db, { name: 'doors only', camera_group_ids: [doors] })).id;
    lists.strict = (await createWatchList(db, { name: 'strict', confidence_threshold: 0.99 })).id;
    lists.open = (await createWatchList(db, { name: 'open' })).id;
    lists.paused = (await createWatchList(db, { name: 'paused', active: false })).id;
    dora = (await createDossier(db, { name: 'Dora', watch_list_ids: Object.values(lists) })).id;
    // D (img13, img14, img15)
    const d = [
      { file: 'img14.jpg', id: 'd14-door', ts: NOW - 5 * HOUR, camera: String(door.id) },
      { file: 'img15.jpg', id: 'd15-gate', ts: NOW - 6 * HOUR, camera: String(gate.id) },
    ];
    return [...EVENTS.map((e) => ({ file: e.file, id: e.id, ts: NOW - e.ago, camera: e.camera, ...('live' in e ? { dossier: String(anna), watchList: String(wanted), confidence: 0.999 } : {}) })), ...d];
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('retro-match', () => {
  it('nothing before a face is added', async () => {
    expect((await retro()).results).toEqual([]);
  });

  it("enrolling a photo of A raises retro matches for exactly A's unmatched events inside the window", async () => {
    await enrol(anna, 'img5.jpg');
    const { results, next_page } = await retro();
    expect(results.map((m) => m.event.id)).toEqual(['a2', 'a4']);
    expect(next_page).toBeNull();
    for (const m of results) {
      expect(m.dossier).toMatchObject({ id: anna, name: 'Anna' });
      expect(m.watch_lists).toEqual([String(wanted)]);
      expect(m.confidence).toBeGreaterThanOrEqual(h.faces.confidenceThreshold);
      // the event itself is unchanged: still unmatched in /events
      expect(m.event.matched).toBe(false);
    }
    expect(await listedIds(h.app, '/api/v1/events?matched=true')).toEqual(['a4-live']);
  });

  it('a second enrolment of the same person adds no duplicates and keeps the better match', async () => {
    const before = new Map((await retro()).results.map((m) => [m.event.id, m.confidence]));
    await enrol(anna, 'img1.jpg');
    const after = (await retro()).results;
    expect(after.map((m) => m.event.id)).toEqual(['a2', 'a4']);
    for (const m of after) expect(m.confidence).toBeGreaterThanOrEqual(before.get(m.event.id)!);
  });

  it('another person matches only their own events', async () => {
    await enrol(boris, 'img20.jpg');
    expect((await retro(`?dossiers=${boris}`)).results.map((m) => m.event.id)).toEqual(['b21']);
    expect((await retro(`?dossiers=${anna}`)).results.map((m) => m.event.id)).toEqual(['a2', 'a4']);
  });

  it("the events' filters, ordering and cursor pages", async () => {
    expect((await retro('?cameras=cam-b')).results.map((m) => m.event.id)).toEqual(['a4']);
    expect((await retro(`?camera_groups=${h.g1}&dossiers=${anna}`)).results.map((m) => m.event.id)).toEqual(['a2']);
    expect((await retro(`?created_date_lt=${new Date(NOW - 48 * HOUR).toISOString()}`)).results.map((m) => m.event.id)).toEqual(['a4']);
    expect((await retro('?ordering=created_date')).results.map((m) => m.event.id)).toEqual(['a4', 'a2', 'b21']);
    const first = await retro('?limit=2');
    expect(first.results.map((m) => m.event.id)).toEqual(['b21', 'a2']);
    const second = await retro(`?limit=2&page=${first.next_page!}`);
    expect(second.results.map((m) => m.event.id)).toEqual(['a4']);
    expect(second.next_page).toBeNull();
  });

  it('a reader sees retro matches of their camera groups and watch lists only', async () => {
    const role = await createRole(h.stores.db, { name: 'g2 readers', permissions: ['view_listevent'] });
    await setCameraGroupAccess(h.stores.db, role.id, h.g2, 'view');
    await setWatchListAccess(h.stores.db, role.id, wanted, 'view');
    const { headers } = await testUser(h.stores.db, { role: role.id });
    expect((await retro('', headers)).results.map((m) => m.event.id)).toEqual(['a4']);
    // both camera groups but not the list
    const noList = await createRole(h.stores.db, { name: 'no list', permissions: ['view_listevent'] });
    await setCameraGroupAccess(h.stores.db, noList.id, h.g1, 'view');
    await setCameraGroupAccess(h.stores.db, noList.id, h.g2, 'view');
    expect((await retro('', (await testUser(h.stores.db, { role: noList.id })).headers)).results).toEqual([]);
    // without view_listevent: 403
    const none = await createRole(h.stores.db, { name: 'nothing', permissions: [] });
    const r = await h.app.inject({ method: 'GET', url: '/api/v1/retro-matches', headers: (await testUser(h.stores.db, { role: none.id })).headers });
    expect(r.statusCode).toBe(403);
  });

  it('the lists come from the identity store, and a match holds only those its event passed on its camera', async () => {
    await enrol(dora, 'img13.jpg');
    const found = (await retro(`?dossiers=${dora}`)).results;
    // `strict` (0.99) and the inactive list pass nothing; `doors only` only the door camera's event
    expect(Object.fromEntries(found.map((m) => [m.event.id, m.watch_lists]))).toEqual({
      'd14-door': [String(lists.doors), String(lists.open)],
      'd15-gate': [String(lists.open)],
    });
    for (const m of found) expect(m.confidence).toBeLessThan(0.99);
  });
});
