// Dossier faces made from stored events (`create_from=event:<id>`), the duplicate-dossier warning and merging, on
// PostgreSQL 15 and PGlite with events in chdb carrying the vectors of real photos (shared/data/faces/deepface).
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deepfacePath } from '../models/testing/deepface.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { openTestStore, type TestStore } from '../stores/clickhouse/testing.ts';
import { testEvent } from '../stores/clickhouse/test-events.ts';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../stores/postgres/rows.ts';
import { describeEachBackend } from '../stores/postgres/testing/backends.ts';
import type { FaceService } from './photos/face-service.ts';
import { multipart, photoEvent, testApi, testFaces, testUser } from './testing.ts';

const NOW = Date.now();
const HOUR = 3600_000;

interface Duplicate {
  dossier: number;
  name: string;
  face: number;
  confidence: number;
}
type Body = Record<string, unknown> & { duplicates?: Duplicate[]; error?: { code: string; field?: string; reason?: string; message: string } };
const json = (r: { body: string }) => JSON.parse(r.body) as Body;

let models: FaceModels;
let faces: FaceService;
let store: TestStore;
beforeAll(async () => {
  ({ models, faces } = await testFaces());
  store = await openTestStore();
  // master.csv: img3 and img12 are one person, img20 another; cam-a is in the camera group the suites create first
  const events = [
    await photoEvent(faces, 'img12.jpg', { id: 'ev-a12', ts: NOW - HOUR, camera: 'cam-a', quality: -0.4 }),
    await photoEvent(faces, 'img20.jpg', { id: 'ev-b20', ts: NOW - HOUR, camera: 'cam-a' }),
    await photoEvent(faces, 'img12.jpg', { id: 'ev-blurred', ts: NOW - HOUR, camera: 'cam-a', quality: -4.5 }),
    await photoEvent(faces, 'img12.jpg', { id: 'ev-elsewhere', ts: NOW - HOUR, camera: 'cam-b' }),
    // an event stored without its vector
    testEvent({ id: 'ev-novector', ts: NOW - HOUR, camera: 'cam-a', vector: new Float32Array(0) }),
  ];
  await createAnalyticsWriter({ client: store.client, cameraGroupOf: (c) => (c === 'cam-a' ? '1' : '2') }).writeEvents(events);
}, 120_000);
afterAll(async () => {
  await store?.dispose();
  await models?.close();
});

describeEachBackend('dossier faces from events, duplicates, merge', (ctx) => {
  let app: FastifyInstance;
  let list = 0;
  let other = 0;
  beforeAll(async () => {
    // ids 1 and 2: the camera groups of cam-a and cam-b above
    await createCameraGroup(ctx.db, { name: 'lobby' });
    await createCameraGroup(ctx.db, { name: 'yard' });
    list = (await createWatchList(ctx.db, { name: 'staff' })).id;
    other = (await createWatchList(ctx.db, { name: 'visitors' })).id;
    app = await testApi({ db: ctx.db, clickhouse: store.client, faces });
  });
  afterAll(async () => {
    await app?.close();
  });

  const dossier = async (name: string, lists = [list]) => (await createDossier(ctx.db, { name, watch_list_ids: lists })).id;
  const fromEvent = (id: number, createFrom: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/dossier-faces', payload: { dossier: id, create_from: createFrom }, headers });
  const upload = (id: number, file: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/dossier-faces',
      ...multipart([{ name: 'dossier', value: String(id) }, { name: 'source_photo', filename: file, type: 'image/jpeg', value: readFileSync(deepfacePath(file)) }]),
    });

  it("create_from=event:<id> stores the event's vector, quality and box, as JSON or multipart", async () => {
    const id = await dossier('From event');
    const r = await fromEvent(id, 'event:ev-a12');
    expect(r.statusCode, r.body).toBe(201);
    const face = json(r);
    expect(face).toMatchObject({ dossier_id: id, create_from: 'event:ev-a12', source_photo_name: 'event:ev-a12', model_id: faces.modelId, duplicates: [] });
    expect(face['quality']).toBeCloseTo(-0.4, 5);
    expect(face).not.toHaveProperty('embedding');
    const viaForm = await app.inject({ method: 'POST', url: '/api/v1/dossier-faces', ...multipart([{ name: 'dossier', value: String(id) }, { name: 'create_from', value: 'event:ev-b20' }]) });
    expect(viaForm.statusCode, viaForm.body).toBe(201);
    // the stored vector is the event's: a search by this dossier face finds the event it came from
    const search = await app.inject({ method: 'GET', url: `/api/v1/search/events?looks_like=dossierface:${face['id'] as number}` });
    expect(search.statusCode, search.body).toBe(200);
    const hits = json(search)['results'] as { event: { id: string }; confidence: number }[];
    expect(hits.find((h) => h.event.id === 'ev-a12')?.confidence).toBeCloseTo(1, 4);
  });

  it('unknown event 404, malformed or missing source 400, no vector or low quality 422', async () => {
    const id = await dossier('Refusals');
    expect(json(await fromEvent(id, 'event:nope')).error).toMatchObject({ code: 'FS_ERR_NOT_FOUND', field: 'create_from' });
    expect((await fromEvent(id, 'detection:1')).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/dossier-faces', payload: { dossier: id } })).statusCode).toBe(400);
    expect(json(await fromEvent(id, 'event:ev-novector')).error).toMatchObject({ code: 'FS_ERR_NO_USABLE_FACE', reason: 'no_embedding' });
    const low = json(await fromEvent(id, 'event:ev-blurred')).error;
    expect(low).toMatchObject({ code: 'FS_ERR_NO_USABLE_FACE', reason: 'low_quality', field: 'create_from' });
    expect(low?.message).toMatch(/minimum_dossier_quality -2/);
    expect(json(await fromEvent(9999, 'event:ev-a12')).error).toMatchObject({ code: 'FS_ERR_NOT_FOUND', field: 'dossier' });
    expect(json(await app.inject({ method: 'GET', url: `/api/v1/dossier-faces?dossier=${id}` }))['results']).toEqual([]);
  });

  it('rights: the event must be visible (else 404) and the dossier changeable (else 403)', async () => {
    const id = await dossier('Guarded');
    const role = await createRole(ctx.db, { name: `lobby staff ${ctx.kind}`, permissions: ['add_dossierface', 'view_listevent'] });
    await setCameraGroupAccess(ctx.db, role.id, 1, 'view');
    await setWatchListAccess(ctx.db, role.id, UNMATCHED_WATCH_LIST_ID, 'view');
    await setWatchListAccess(ctx.db, role.id, list, 'change');
    const { headers } = await testUser(ctx.db, { role: role.id });
    // the events are unmatched: seen with the Unmatched list. ev-elsewhere is on cam-b (camera group 2): not seen
    expect((await fromEvent(id, 'event:ev-elsewhere', headers)).statusCode).toBe(404);
    expect((await fromEvent(id, 'event:ev-a12', headers)).statusCode).toBe(201);
    const viewer = await createRole(ctx.db, { name: `lobby viewers ${ctx.kind}`, permissions: ['add_dossierface', 'view_listevent'] });
    await setCameraGroupAccess(ctx.db, viewer.id, 1, 'view');
    await setWatchListAccess(ctx.db, viewer.id, UNMATCHED_WATCH_LIST_ID, 'view');
    await setWatchListAccess(ctx.db, viewer.id, list, 'view');
    expect((await fromEvent(id, 'event:ev-a12', (await testUser(ctx.db, { role: viewer.id })).headers)).statusCode).toBe(403);
  });

  it('a face another dossier already holds is added with a warning naming it, best first; hidden dossiers are not named', async () => {
    const first = await dossier(`Person A ${ctx.kind}`);
    const hidden = await dossier(`Person A hidden ${ctx.kind}`, [other]);
    const elsewhere = await dossier(`Person B ${ctx.kind}`);
    const heldA = json(await upload(first, 'img3.jpg'));
    expect(heldA['duplicates']).toEqual(expect.any(Array));
    await upload(hidden, 'img3.jpg');
    await upload(elsewhere, 'img20.jpg');

    const again = await dossier(`Person A again ${ctx.kind}`);
    const r = await fromEvent(again, 'event:ev-a12');
    expect(r.statusCode, r.body).toBe(201);
    const duplicates = json(r).duplicates!;
    const mine = duplicates.filter((d) => [first, hidden, elsewhere].includes(d.dossier));
    expect(mine.map((d) => d.dossier).sort()).toEqual([first, hidden].sort());
    expect(mine.find((d) => d.dossier === first)).toMatchObject({ name: `Person A ${ctx.kind}`, face: heldA['id'] });
    for (const d of duplicates) expect(d.confidence).toBeGreaterThanOrEqual(faces.confidenceThreshold);
    expect(duplicates.map((d) => d.confidence)).toEqual([...duplicates.map((d) => d.confidence)].sort((a, b) => b - a));
    expect(duplicates.some((d) => d.dossier === again)).toBe(false);

    // a user who sees only `staff` is not told of the dossier on `visitors`
    const role = await createRole(ctx.db, { name: `staff editors ${ctx.kind}`, permissions: ['add_dossierface', 'view_listevent'] });
    await setCameraGroupAccess(ctx.db, role.id, 1, 'view');
    await setWatchListAccess(ctx.db, role.id, UNMATCHED_WATCH_LIST_ID, 'view');
    await setWatchListAccess(ctx.db, role.id, list, 'change');
    const seen = json(await fromEvent(again, 'event:ev-a12', (await testUser(ctx.db, { role: role.id })).headers)).duplicates!;
    expect(seen.some((d) => d.dossier === first)).toBe(true);
    expect(seen.some((d) => d.dossier === hidden)).toBe(false);
  });

  it('merge moves the faces, deletes the other dossier and is audited; rights on both', async () => {
    const keep = await dossier('Keep');
    const gone = await dossier('Gone');
    const kept = json(await fromEvent(keep, 'event:ev-a12'))['id'];
    const moved = [json(await fromEvent(gone, 'event:ev-a12'))['id'], json(await upload(gone, 'img3.jpg'))['id']];

    // a user who may change `staff` but not `visitors`, and one without delete_dossier
    const onVisitors = await dossier('On visitors', [other]);
    const editor = await createRole(ctx.db, { name: `merge editors ${ctx.kind}`, permissions: ['change_dossier', 'delete_dossier'] });
    await setWatchListAccess(ctx.db, editor.id, list, 'change');
    await setWatchListAccess(ctx.db, editor.id, other, 'view');
    const { user: editorUser, headers: editorHeaders } = await testUser(ctx.db, { role: editor.id });
    expect((await app.inject({ method: 'POST', url: `/api/v1/dossiers/${keep}/merge`, payload: { from: onVisitors }, headers: editorHeaders })).statusCode).toBe(403);
    const noDelete = await createRole(ctx.db, { name: `no delete ${ctx.kind}`, permissions: ['change_dossier'] });
    await setWatchListAccess(ctx.db, noDelete.id, list, 'change');
    expect((await app.inject({ method: 'POST', url: `/api/v1/dossiers/${keep}/merge`, payload: { from: gone }, headers: (await testUser(ctx.db, { role: noDelete.id })).headers })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/v1/dossiers/${keep}/merge`, payload: { from: keep } })).statusCode).toBe(400);
    expect(json(await app.inject({ method: 'POST', url: `/api/v1/dossiers/${keep}/merge`, payload: { from: 99999 } })).error).toMatchObject({ code: 'FS_ERR_NOT_FOUND', field: 'from' });

    const r = await app.inject({ method: 'POST', url: `/api/v1/dossiers/${keep}/merge`, payload: { from: gone }, headers: editorHeaders });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toMatchObject({ dossier: { id: keep, name: 'Keep' }, faces_moved: 2, deleted: gone });
    expect((await app.inject({ method: 'GET', url: `/api/v1/dossiers/${gone}` })).statusCode).toBe(404);
    const held = (json(await app.inject({ method: 'GET', url: `/api/v1/dossier-faces?dossier=${keep}` }))['results'] as { id: number }[]).map((f) => f.id);
    expect(held).toEqual([kept, ...moved]);

    await app.auditLog.flush();
    const audit = json(await app.inject({ method: 'GET', url: `/api/v1/audit-log?created_date_gte=${new Date(NOW - 60_000).toISOString()}&limit=1000` }))['results'] as Record<string, unknown>[];
    expect(audit.filter((a) => a['route'] === '/api/v1/dossiers/:id/merge' && a['user_name'] === editorUser.name && a['status_code'] === 200)).toEqual([
      expect.objectContaining({ method: 'POST', object_kind: 'dossiers', object_id: String(keep) }),
    ]);
  });
});
