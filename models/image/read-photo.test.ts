import { SHARED_DATA } from '../../test/paths.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PhotoError, readPhoto } from './read-photo.ts';

const DEEPFACE = `${SHARED_DATA}faces/deepface`;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-photo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(PhotoError);
    return (err as PhotoError).code;
  }
}

describe('readPhoto', () => {
  it('decodes a JPEG to packed RGB', async () => {
    const img = await readPhoto(`${DEEPFACE}/img10.jpg`);
    expect([img.width, img.height]).toEqual([408, 594]);
    expect(img.data.length).toBe(408 * 594 * 3);
  });

  it('honours EXIF orientation', async () => {
    const src = `${DEEPFACE}/img10.jpg`;
    const rotated = join(dir, 'rotated.jpg');
    // stored landscape with "rotate 90° clockwise to display": the decoded photo must come back portrait
    await sharp(src).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toFile(rotated);
    const meta = await sharp(rotated).metadata();
    expect([meta.width, meta.height, meta.orientation]).toEqual([594, 408, 6]);
    const img = await readPhoto(rotated);
    expect([img.width, img.height]).toEqual([408, 594]);
  });

  it('reads PNG, WebP, TIFF, GIF and BMP', async () => {
    const rgb = await sharp(`${DEEPFACE}/img10.jpg`).resize(40, 30).removeAlpha().raw().toBuffer();
    for (const fmt of ['png', 'webp', 'tiff', 'gif'] as const) {
      const p = join(dir, `x.${fmt}`);
      await sharp(rgb, { raw: { width: 40, height: 30, channels: 3 } }).toFormat(fmt).toFile(p);
      const img = await readPhoto(p);
      expect([img.width, img.height]).toEqual([40, 30]);
    }
    // BMP, 24-bit bottom-up, written by hand (sharp cannot encode BMP)
    const w = 3;
    const h = 2;
    const stride = 12;
    const bmp = Buffer.alloc(54 + stride * h);
    bmp.write('BM', 0, 'ascii');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(w, 18);
    bmp.writeInt32LE(h, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    // bottom row first: bottom-left pixel pure red (stored B, G, R)
    bmp[54] = 0;
    bmp[55] = 0;
    bmp[56] = 255;
    const p = join(dir, 'x.bmp');
    writeFileSync(p, bmp);
    const img = await readPhoto(p);
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data.subarray(9, 12))).toEqual([255, 0, 0]); // row 1 (bottom), column 0
  });

  it('reports a missing file', async () => {
    expect(await codeOf(readPhoto(join(dir, 'nope.jpg')))).toBe('not_found');
  });

  it('reports a text file named .jpg as unsupported, listing the accepted formats', async () => {
    const p = join(dir, 'text.jpg');
    writeFileSync(p, 'this is not a picture\n');
    await expect(readPhoto(p)).rejects.toThrow(/accepted: jpeg, png, webp, bmp, tiff, gif/);
    expect(await codeOf(readPhoto(p))).toBe('unsupported_format');
  });

  it('reports a truncated JPEG as unreadable', async () => {
    const p = join(dir, 'trunc.jpg');
    const { readFileSync } = await import('node:fs');
    const b = readFileSync(`${DEEPFACE}/img10.jpg`);
    writeFileSync(p, b.subarray(0, Math.floor(b.length / 2)));
    expect(await codeOf(readPhoto(p))).toBe('unreadable');
  });

  it('rejects a decodable but unaccepted format (AVIF)', async () => {
    const p = join(dir, 'x.avif');
    await sharp({ create: { width: 16, height: 16, channels: 3, background: 'red' } }).avif().toFile(p);
    await expect(readPhoto(p)).rejects.toThrow(/format heif is not accepted/);
  });

  it('applies the size and pixel limits given', async () => {
    const p = join(dir, 'copy.jpg');
    copyFileSync(`${DEEPFACE}/img10.jpg`, p);
    expect(await codeOf(readPhoto(p, { maxSide: 6000, maxBytes: 1000 }))).toBe('too_large');
    expect(await codeOf(readPhoto(p, { maxSide: 500, maxBytes: 10e6 }))).toBe('too_many_pixels');
  });
});
