// Frames cross to the model workers as SharedArrayBuffer views: one copy per frame, however many calls use it.
import { describe, expect, it } from 'vitest';
import type { DetectedFace, RgbImage } from '../../schemas/records.ts';
import { facesOf, facesPayload, isShared, newSharedPixels, sharedImage } from './shared-image.ts';

const image = (w: number, h: number): RgbImage => ({ width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => i % 251) });
const face = (x: number): DetectedFace => ({
  box: { x1: x, y1: 0, x2: x + 1, y2: 1 },
  score: 1,
  landmarks5: [],
  pose: { yaw: 0, pitch: 0, roll: 0 },
  sharpness: 1,
  quality: 0,
  appearance: new Float32Array(2),
});

describe('sharedImage', () => {
  it('copies a frame into shared memory once and reuses the copy', () => {
    const img = image(4, 3);
    const a = sharedImage(img);
    expect(isShared(a.data)).toBe(true);
    expect(a.data).not.toBe(img.data);
    expect([...a.data]).toEqual([...img.data]);
    expect({ width: a.width, height: a.height }).toEqual({ width: 4, height: 3 });
    expect(sharedImage(img).data).toBe(a.data);
  });

  it('passes a frame that is already shared as it is', () => {
    const data = new Uint8Array(new SharedArrayBuffer(12));
    const img: RgbImage = { width: 2, height: 2, data };
    expect(sharedImage(img)).toBe(img);
  });
});

describe('facesPayload', () => {
  it('lists each image once, faces pointing at it, and facesOf restores the pairs', () => {
    const a = image(2, 2);
    const b = image(3, 2);
    const faces = [
      { image: a, face: face(0) },
      { image: b, face: face(1) },
      { image: a, face: face(2) },
    ];
    const payload = facesPayload(faces);
    expect(payload.images).toHaveLength(2);
    expect(payload.faces.map((f) => f.image)).toEqual([0, 1, 0]);
    const back = facesOf(payload);
    expect(back.map((f) => f.face.box.x1)).toEqual([0, 1, 2]);
    expect(back.map((f) => f.image.width)).toEqual([2, 3, 2]);
    expect(back.every((f) => isShared(f.image.data))).toBe(true);
  });

  it('refuses a face pointing at no image', () => {
    expect(() => facesOf({ images: [], faces: [{ image: 0, face: face(0) }] })).toThrow(/refers to image 0/);
  });
});

describe('newSharedPixels', () => {
  it('gives shared memory whose dropped arrays the garbage collector reclaims on its own (V8 alone lets them pile up)', async () => {
    const frame = 1280 * 720 * 3;
    let reclaimed = 0;
    const watch = new FinalizationRegistry<number>(() => reclaimed++);
    let last: Uint8Array | undefined;
    // up to 3,000 dropped 720p frames (never touched, so never resident); no explicit gc(). V8 collects after
    // ~64 MB of counted external memory, i.e. ~750 frames' weights.
    for (let i = 0; i < 3000 && reclaimed === 0; i++) {
      last = newSharedPixels(frame);
      watch.register(last.buffer, i);
      // finalization callbacks run as tasks between turns of the event loop
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    expect(isShared(last!)).toBe(true);
    expect(reclaimed).toBeGreaterThan(0);
  });
});
