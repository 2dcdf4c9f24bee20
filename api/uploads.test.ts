// Photo uploads through fastify.inject() with the project's face models and real photos (shared/data/faces):
// dossier faces (mf_selector, minimum_dossier_quality, 413/415/422) on PostgreSQL and PGlite, and verify 1:1 on
// same/different pairs of master.csv.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepfacePath, masterPairs } from '../models/testing/deepface.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { describeEachBackend } from '../stores/postgres/testing/backends.ts';
import { updateSettings } from '../stores/postgres/repositories/settings.ts';
import { openDatabase } from '../stores/postgres/open.ts';
import type { Db } from '../stores/postgres/db.ts';
import type { FaceService } from './photos/face-service.ts';
import { multipart, testApi, testFaces, type Part } from './testing.ts';

const photo = (file: string) => readFileSync(deepfacePath(file));
const json = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown> & { error?: { code: string; field?: string; reason?: string; message: string } };

let models: FaceModels;
let faces: FaceService;
beforeAll(async () => {
  ({ models, faces } = await testFaces());
});
afterAll(async () => {
  await models?.close();
});

describeEachBackend('dossier face uploads', (ctx) => {
  let app: FastifyInstance;
  let dossier: number;
  beforeAll(async () => {
    app = await testApi({ db: ctx.db, faces });
    dossier = json(await app.inject({ method: 'POST', url: '/api/v1/dossiers', payload: { name: 'Subject' } }))['id'] as number;
  });
  afterAll(async () => {
    await app?.close();
  });

  const upload = (parts: Part[]) => app.inject({ method: 'POST', url: '/api/v1/dossier-faces', ...multipart(parts) });
  const photoPart = (file: string, bytes: Uint8Array = photo(file)): Part => ({ name: 'source_photo', filename: file, type: 'image/jpeg', value: bytes });

  it('enrols the face of a one-person photo; the vector stays inside', async () => {
    const r = await upload([{ name: 'dossier', value: String(dossier) }, photoPart('img3.jpg')]);
    expect(r.statusCode, r.body).toBe(201);
    const face = json(r);
    expect(face).toMatchObject({ dossier_id: dossier, source_photo_name: 'img3.jpg', create_from: null });
    expect(face['model_id']).toEqual(expect.any(String));
    expect(face['quality']).toBeGreaterThanOrEqual(-2);
    expect(face).not.toHaveProperty('embedding');
    const listed = json(await app.inject({ method: 'GET', url: `/api/v1/dossier-faces?dossier=${dossier}` }));
    expect((listed['results'] as { id: number }[]).map((f) => f.id)).toEqual([face['id']]);
    expect(json(await app.inject({ method: 'GET', url: `/api/v1/dossiers?has_faces=true` }))['results']).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/dossier-faces/${face['id']}` })).statusCode).toBe(204);
  });

  it('several faces: 422 several_faces with reject (the default), the biggest with mf_selector=biggest', async () => {
    const rejected = await upload([{ name: 'dossier', value: String(dossier) }, photoPart('couple.jpg')]);
    expect(rejected.statusCode).toBe(422);
    expect(json(rejected).error).toMatchObject({ code: 'FS_ERR_NO_USABLE_FACE', field: 'source_photo', reason: 'several_faces' });
    const biggest = await upload([{ name: 'dossier', value: String(dossier) }, { name: 'mf_selector', value: 'biggest' }, photoPart('couple.jpg')]);
    expect(biggest.statusCode, biggest.body).toBe(201);
  });

  it('no face: 422 no_face; below minimum_dossier_quality: 422 low_quality', async () => {
    // a real photo's corner without a face in it
    const corner = await sharp(photo('couple.jpg')).extract({ left: 0, top: 0, width: 120, height: 120 }).jpeg().toBuffer();
    const none = await upload([{ name: 'dossier', value: String(dossier) }, photoPart('corner.jpg', corner)]);
    expect(none.statusCode).toBe(422);
    expect(json(none).error).toMatchObject({ field: 'source_photo', reason: 'no_face' });

    await updateSettings(ctx.db, { minimum_dossier_quality: 1 });
    try {
      const low = await upload([{ name: 'dossier', value: String(dossier) }, photoPart('img3.jpg')]);
      expect(low.statusCode).toBe(422);
      expect(json(low).error).toMatchObject({ reason: 'low_quality' });
      expect(json(low).error?.message).toMatch(/minimum_dossier_quality/);
    } finally {
      await updateSettings(ctx.db, { minimum_dossier_quality: null });
    }
  });

  it('415 for a non-image file or a JSON body; 413 over the pixel limit; 400/404 for the dossier field', async () => {
    const text = await upload([{ name: 'dossier', value: String(dossier) }, { name: 'source_photo', filename: 'notes.txt', type: 'text/plain', value: 'hello, not a photo' }]);
    expect(text.statusCode).toBe(415);
    expect(json(text).error).toMatchObject({ code: 'FS_ERR_UNSUPPORTED_MEDIA', field: 'source_photo' });
    const asJson = await app.inject({ method: 'POST', url: '/api/v1/dossier-faces', payload: { dossier, source_photo: 'x' } });
    expect(asJson.statusCode).toBe(415);
    const raw = await app.inject({ method: 'POST', url: '/api/v1/dossier-faces', headers: { 'content-type': 'image/jpeg' }, payload: photo('img3.jpg') });
    expect(raw.statusCode).toBe(415);

    const wide = await sharp(photo('img3.jpg')).resize({ width: 6001, height: 200, fit: 'fill' }).jpeg().toBuffer();
    const tooWide = await upload([{ name: 'dossier', value: String(dossier) }, photoPart('wide.jpg', wide)]);
    expect(tooWide.statusCode).toBe(413);
    expect(json(tooWide).error).toMatchObject({ code: 'FS_ERR_TOO_LARGE', field: 'source_photo', reason: 'too_many_pixels' });

    const missing = await upload([{ name: 'dossier', value: String(dossier) }]);
    expect(missing.statusCode).toBe(400);
    expect(json(missing).error?.field).toBe('source_photo');
    const notAFile = await upload([{ name: 'dossier', value: String(dossier) }, { name: 'source_photo', value: 'text' }]);
    expect(json(notAFile).error?.field).toBe('source_photo');
    const badDossier = await upload([{ name: 'dossier', value: 'ann' }, photoPart('img3.jpg')]);
    expect(json(badDossier).error?.field).toBe('dossier');
    const unknown = await upload([{ name: 'dossier', value: '999999' }, photoPart('img3.jpg')]);
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error?.field).toBe('dossier');
  });
});

describe('upload size limits', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = (await openDatabase({})).db;
    app = await testApi({ db, faces, config: { image_max_bytes: 200 * 1024 } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('413 for a photo over image_max_bytes, and for a body over the route limit', async () => {
    const big = photo('img1.jpg'); // 2.3 MB
    const r = await app.inject({ method: 'POST', url: '/api/v1/verify', ...multipart([{ name: 'face1', filename: 'a.jpg', value: big.subarray(0, 300 * 1024) }, { name: 'face2', filename: 'b.jpg', value: photo('img3.jpg') }]) });
    expect(r.statusCode).toBe(413);
    expect(json(r).error).toMatchObject({ code: 'FS_ERR_TOO_LARGE', field: 'face1', reason: 'too_large' });
    const whole = await app.inject({ method: 'POST', url: '/api/v1/dossier-faces', ...multipart([{ name: 'dossier', value: '1' }, { name: 'source_photo', filename: 'a.jpg', value: big }]) });
    expect(whole.statusCode).toBe(413);
    expect(json(whole).error?.code).toBe('FS_ERR_TOO_LARGE');
  });
});

describe('verify 1:1 on master.csv pairs', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = (await openDatabase({})).db;
    app = await testApi({ db, faces });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const verify = (a: string, b: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      ...multipart([
        { name: 'face1', filename: a, type: 'image/jpeg', value: photo(a) },
        { name: 'face2', filename: b, type: 'image/jpeg', value: photo(b) },
      ]),
    });

  it('separates the same person from different people', async () => {
    const pairs = masterPairs();
    const same = pairs.filter((p) => p.same).slice(0, 3);
    const different = pairs.filter((p) => !p.same).slice(0, 3);
    const scores = { same: [] as number[], different: [] as number[] };
    for (const [kind, list] of [['same', same], ['different', different]] as const) {
      for (const p of list) {
        const r = await verify(p.a, p.b);
        expect(r.statusCode, r.body).toBe(200);
        const v = json(r) as { confidence: number; same_person: boolean; threshold: number; face1: { bbox: object } };
        expect(v.face1.bbox).toBeDefined();
        expect(v.same_person, `${p.a} ${p.b} ${v.confidence} vs ${v.threshold}`).toBe(kind === 'same');
        scores[kind].push(v.confidence);
      }
    }
    expect(Math.min(...scores.same)).toBeGreaterThan(Math.max(...scores.different));
  });

  it('422 names the photo without a face', async () => {
    const corner = await sharp(photo('couple.jpg')).extract({ left: 0, top: 0, width: 120, height: 120 }).png().toBuffer();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      ...multipart([
        { name: 'face1', filename: 'img3.jpg', value: photo('img3.jpg') },
        { name: 'face2', filename: 'corner.png', value: corner },
      ]),
    });
    expect(r.statusCode).toBe(422);
    expect(json(r).error).toMatchObject({ code: 'FS_ERR_NO_USABLE_FACE', field: 'face2', reason: 'no_face' });
  });
});
