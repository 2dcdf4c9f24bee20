// Search by face and detect with the project's face models and real photos (shared/data/faces/deepface): events
// written to chdb with the vectors of real faces, dossier faces enrolled through the API; FindFace's search by
// photo, by event:<id> and by dossierface:<id>, over events and over dossiers; detect on a group photo.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepfacePath } from '../models/testing/deepface.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../stores/postgres/rows.ts';
import { multipart, photoEventsApi, testUser, type Part, type PhotoEventsApi } from './testing.ts';

const HOUR = 3600_000;
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();
const photo = (file: string) => readFileSync(deepfacePath(file));
const photoPart = (name: string, file: string, bytes: Uint8Array = photo(file)): Part => ({ name, filename: file, type: 'image/jpeg', value: bytes });

// master.csv: img1, img2, img4, img5 are one person (A); img20/img21 another (B); img16/img17 (C); img3/img12 (D)
const EVENTS = [
  { id: 'a2', file: 'img2.jpg', camera: 'cam-a', minute: 1 },
  { id: 'a4', file: 'img4.jpg', camera: 'cam-b', minute: 2 },
  { id: 'b20', file: 'img20.jpg', camera: 'cam-a', minute: 3 },
  { id: 'b21', file: 'img21.jpg', camera: 'cam-b', minute: 4 },
  { id: 'c17', file: 'img17.jpg', camera: 'cam-a', minute: 5 },
  { id: 'd12', file: 'img12.jpg', camera: 'cam-b', minute: 6 },
];

let h: PhotoEventsApi;
const dossierFace: Record<string, number> = {};

beforeAll(async () => {
  h = await photoEventsApi(async () => EVENTS.map((e) => ({ file: e.file, id: e.id, ts: T0 + e.minute * 60_000, camera: e.camera })));
  for (const [name, file] of [['Anna', 'img5.jpg'], ['Boris', 'img20.jpg']] as const) {
    const dossier = JSON.parse((await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', payload: { name } })).body).id as number;
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/dossier-faces', ...multipart([{ name: 'dossier', value: String(dossier) }, photoPart('source_photo', file)]) });
    expect(r.statusCode, r.body).toBe(201);
    dossierFace[name] = JSON.parse(r.body).id as number;
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface Answer {
  threshold: number;
  query: { source: string; id: string | null; faces_in_photo: number | null; bbox: object | null };
  results: { confidence: number; event?: { id: string }; dossier?: { name: string }; dossier_face?: number }[];
}
const answer = (r: { statusCode: number; body: string }): Answer => {
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as Answer;
};
const eventIds = (a: Answer) => a.results.map((h) => h.event!.id);
const byPhoto = (target: 'events' | 'dossiers', file: string, fields: Part[] = []) =>
  h.app.inject({ method: 'POST', url: `/api/v1/search/${target}`, ...multipart([photoPart('photo', file), ...fields]) });

describe('search over events', () => {
  it('by photo: the same person\'s events, most similar first, at the calibrated default threshold', async () => {
    const a = answer(await byPhoto('events', 'img1.jpg'));
    expect(a.threshold).toBe(h.faces.confidenceThreshold);
    expect(a.query).toMatchObject({ source: 'photo', id: null, faces_in_photo: 1 });
    expect(a.query.bbox).not.toBeNull();
    expect(eventIds(a).sort()).toEqual(['a2', 'a4']);
    expect(a.results[0]!.confidence).toBeGreaterThanOrEqual(a.results[1]!.confidence);
    const b = answer(await byPhoto('events', 'img21.jpg'));
    expect(eventIds(b)).toContain('b20');
    expect(eventIds(b).every((id) => id.startsWith('b'))).toBe(true);
  });

  it('by photo with cameras, camera groups, time range, ordering and limit', async () => {
    expect(eventIds(answer(await byPhoto('events', 'img1.jpg', [{ name: 'cameras', value: 'cam-b' }])))).toEqual(['a4']);
    expect(eventIds(answer(await byPhoto('events', 'img1.jpg', [{ name: 'camera_groups', value: String(h.g1) }])))).toEqual(['a2']);
    expect(eventIds(answer(await byPhoto('events', 'img1.jpg', [{ name: 'created_date_gte', value: iso(T0 + 2 * 60_000) }])))).toEqual(['a4']);
    expect(eventIds(answer(await byPhoto('events', 'img1.jpg', [{ name: 'ordering', value: '-created_date' }])))).toEqual(['a4', 'a2']);
    expect(answer(await byPhoto('events', 'img1.jpg', [{ name: 'limit', value: '1' }])).results).toHaveLength(1);
    // a threshold below every similarity returns everything; the query's model only
    expect(answer(await byPhoto('events', 'img1.jpg', [{ name: 'threshold', value: '-1' }])).results).toHaveLength(EVENTS.length);
  });

  it('a reader finds only the events of their camera groups and lists; other events are unknown to them', async () => {
    const role = await createRole(h.stores.db, { name: 'searchers', permissions: ['view_listevent'] });
    await setCameraGroupAccess(h.stores.db, role.id, h.g2, 'view');
    await setWatchListAccess(h.stores.db, role.id, UNMATCHED_WATCH_LIST_ID, 'view');
    const { headers } = await testUser(h.stores.db, { role: role.id });
    const body = multipart([photoPart('photo', 'img1.jpg')]);
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/search/events', headers: { ...headers, ...body.headers }, payload: body.payload });
    expect(eventIds(answer(r))).toEqual(['a4']);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/search/events?looks_like=event:a2', headers })).statusCode).toBe(404);
    expect(eventIds(answer(await h.app.inject({ method: 'GET', url: '/api/v1/search/events?looks_like=event:b21', headers })))).toEqual(['b21']);
  });

  it('by event id: the event itself first, then the same person', async () => {
    const a = answer(await h.app.inject({ method: 'GET', url: '/api/v1/search/events?looks_like=event:b21' }));
    expect(a.query).toMatchObject({ source: 'event', id: 'b21', faces_in_photo: null, bbox: null });
    expect(eventIds(a)).toEqual(['b21', 'b20']);
    expect(a.results[0]!.confidence).toBeCloseTo(1, 4);
    const lower = answer(await h.app.inject({ method: 'GET', url: '/api/v1/search/events?looks_like=event:b21&threshold=0.99' }));
    expect(eventIds(lower)).toEqual(['b21']);
  });

  it('404 for an unknown reference; 400 naming the field; 413/415/422 for photos', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/search/events?looks_like=event:nope' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.field).toBe('looks_like');
    for (const [query, field] of [
      ['looks_like=detection:1', 'looks_like'],
      ['', 'looks_like'],
      ['looks_like=event:a2&threshold=2', 'threshold'],
      ['looks_like=event:a2&ordering=name', 'ordering'],
      ['looks_like=dossierface:x', 'looks_like'],
    ] as const) {
      const r = await h.app.inject({ method: 'GET', url: `/api/v1/search/events?${query}` });
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error.field, query).toBe(field);
    }
    const text = await h.app.inject({ method: 'POST', url: '/api/v1/search/events', ...multipart([{ name: 'photo', filename: 'a.txt', type: 'text/plain', value: 'not a photo' }]) });
    expect(text.statusCode).toBe(415);
    expect(JSON.parse(text.body).error.field).toBe('photo');
    const wide = await sharp(photo('img3.jpg')).resize({ width: 6001, height: 200, fit: 'fill' }).jpeg().toBuffer();
    const tooWide = await h.app.inject({ method: 'POST', url: '/api/v1/search/events', ...multipart([photoPart('photo', 'wide.jpg', wide)]) });
    expect(tooWide.statusCode).toBe(413);
    const corner = await sharp(photo('couple.jpg')).extract({ left: 0, top: 0, width: 120, height: 120 }).jpeg().toBuffer();
    const none = await h.app.inject({ method: 'POST', url: '/api/v1/search/events', ...multipart([photoPart('photo', 'corner.jpg', corner)]) });
    expect(none.statusCode).toBe(422);
    expect(JSON.parse(none.body).error).toMatchObject({ field: 'photo', reason: 'no_face' });
    const json = await h.app.inject({ method: 'POST', url: '/api/v1/search/events', payload: { photo: 'x' } });
    expect(json.statusCode).toBe(415);
  });
});

describe('search over dossiers', () => {
  it('by photo: the dossier of the same person, with its most similar face', async () => {
    const a = answer(await byPhoto('dossiers', 'img1.jpg'));
    expect(a.results.map((h) => h.dossier!.name)).toEqual(['Anna']);
    expect(a.results[0]!.dossier_face).toBe(dossierFace['Anna']);
    expect(answer(await byPhoto('dossiers', 'img21.jpg')).results.map((h) => h.dossier!.name)).toEqual(['Boris']);
    expect(answer(await byPhoto('dossiers', 'img12.jpg')).results).toEqual([]);
  });

  it('by dossierface:<id> and by event:<id>; watch_lists filter', async () => {
    const self = answer(await h.app.inject({ method: 'GET', url: `/api/v1/search/dossiers?looks_like=dossierface:${dossierFace['Boris']}` }));
    expect(self.results.map((h) => h.dossier!.name)).toEqual(['Boris']);
    expect(self.results[0]!.confidence).toBeCloseTo(1, 4);
    const fromEvent = answer(await h.app.inject({ method: 'GET', url: '/api/v1/search/dossiers?looks_like=event:a4' }));
    expect(fromEvent.results.map((h) => h.dossier!.name)).toEqual(['Anna']);
    const onList = answer(await h.app.inject({ method: 'GET', url: '/api/v1/search/dossiers?looks_like=event:a4&watch_lists=999' }));
    expect(onList.results).toEqual([]);
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/search/dossiers?looks_like=dossierface:999999' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('detect', () => {
  it('the faces of a group photo, biggest first, with boxes, quality and attributes', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/detect', ...multipart([photoPart('photo', 'couple.jpg')]) });
    expect(r.statusCode, r.body).toBe(200);
    const body = JSON.parse(r.body) as {
      width: number;
      height: number;
      faces: { bbox: { left: number; top: number; right: number; bottom: number }; quality: number; low_quality: boolean; landmarks: number[][]; features: { gender: { name: string } | null } }[];
    };
    expect(body.faces).toHaveLength(2);
    const areas = body.faces.map((f) => (f.bbox.right - f.bbox.left) * (f.bbox.bottom - f.bbox.top));
    expect(areas[0]).toBeGreaterThanOrEqual(areas[1]!);
    for (const f of body.faces) {
      expect(f.bbox.left).toBeGreaterThanOrEqual(-0.05 * body.width);
      expect(f.bbox.right).toBeLessThanOrEqual(1.05 * body.width);
      expect(f.quality).toBeLessThanOrEqual(1);
      expect(f.landmarks).toHaveLength(5);
      expect(f.features.gender?.name).toMatch(/^(male|female)$/);
    }
    const many = JSON.parse((await h.app.inject({ method: 'POST', url: '/api/v1/detect', ...multipart([photoPart('photo', 'selfie-many-people.jpg')]) })).body);
    expect(many.faces.length).toBeGreaterThan(2);
  });

  it('no face is an empty list; 415 for a non-image; 400 without the photo', async () => {
    const corner = await sharp(photo('couple.jpg')).extract({ left: 0, top: 0, width: 120, height: 120 }).jpeg().toBuffer();
    const none = await h.app.inject({ method: 'POST', url: '/api/v1/detect', ...multipart([photoPart('photo', 'corner.jpg', corner)]) });
    expect(JSON.parse(none.body).faces).toEqual([]);
    const text = await h.app.inject({ method: 'POST', url: '/api/v1/detect', ...multipart([{ name: 'photo', filename: 'a.txt', type: 'text/plain', value: 'hello' }]) });
    expect(text.statusCode).toBe(415);
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/detect', ...multipart([{ name: 'other', value: 'x' }]) });
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error.field).toBe('photo');
  });
});
