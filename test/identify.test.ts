// `identify` through the same entry point the CLI uses, on the deepface photos: enrol one photo of a person,
// find the person in another photo, keep strangers unknown; the output follows its schema.
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { identify } from '../cli/identify.ts';
import { problemsOf } from '../config/validate.ts';
import { IdentifyOutput } from '../report/identify-schema.ts';
import { FACE_PHOTO } from './paths.ts';

let watchlist = '';
beforeAll(async () => {
  // master.csv pairs (Yes): img20/img21 and img16/img17 are the same persons; img3/img12 another.
  watchlist = await mkdtemp(join(tmpdir(), 'fs-id-'));
  await mkdir(join(watchlist, 'person-a'));
  await copyFile(FACE_PHOTO('img20.jpg'), join(watchlist, 'person-a', 'a.jpg'));
  await copyFile(FACE_PHOTO('img16.jpg'), join(watchlist, 'person-b.jpg'));
});

const run = (photos: string[]) => identify({ photos, watchlistDir: watchlist, overrides: {} }, (m) => expect.fail(m));

describe('identify', () => {
  it('identifies enrolled people in other photos of them and leaves a stranger unknown', async () => {
    const out = await run([FACE_PHOTO('img21.jpg'), FACE_PHOTO('img17.jpg'), FACE_PHOTO('img3.jpg')]);
    expect(problemsOf(IdentifyOutput, out)).toEqual([]);
    const verdicts = out.photos.map((p) => p.faces.map((f) => f.dossier));
    expect(verdicts).toEqual([['person-a'], ['person-b'], [null]]);
    const a = out.photos[0]!.faces[0]!;
    expect(a.matched).toBe(true);
    expect(a.candidates[0]).toMatchObject({ dossier: 'person-a', photo: 'person-a/a.jpg', watch_list: expect.stringMatching(/^fs-id-/) });
    expect(a.candidates.map((c) => c.confidence)).toEqual([...a.candidates.map((c) => c.confidence)].sort((x, y) => y - x));
    expect(a.attributes.gender?.name).toMatch(/male|female/);
    expect(a.quality).toBeLessThanOrEqual(0);
  });

  it('reports every face of a group photo, largest first, with boxes inside the photo', async () => {
    const out = await run([FACE_PHOTO('couple.jpg')]);
    const photo = out.photos[0]!;
    expect(photo.faces.length).toBe(2);
    const areas = photo.faces.map((f) => (f.bbox.right - f.bbox.left) * (f.bbox.bottom - f.bbox.top));
    expect(areas[0]).toBeGreaterThanOrEqual(areas[1]!);
    for (const f of photo.faces) {
      expect(f.bbox_rel.x).toBeGreaterThanOrEqual(-0.05);
      expect(f.bbox_rel.x + f.bbox_rel.w).toBeLessThanOrEqual(1.05);
    }
  });
});
