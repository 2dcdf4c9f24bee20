import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FrameRefError, localFrameStore } from './local-frame-store.ts';

const T = Date.UTC(2026, 10, 22, 5, 30);

describe('local frame store', () => {
  it('keeps a frame under camera/hour/seq and gives it back by its reference', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-frames-'));
    const store = localFrameStore(dir);
    const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(200) };
    const ref = await store.put('gate 1', 42, T, image);
    expect(ref).toBe(join('gate%201', '2026-11-22-05', '42.jpg'));
    expect(await sharp(await store.get(ref)).metadata()).toMatchObject({ format: 'jpeg', width: 4, height: 2 });
  });

  it('refuses a reference that leaves the store', async () => {
    const store = localFrameStore(await mkdtemp(join(tmpdir(), 'fs-frames-')));
    await expect(store.get('../../etc/passwd')).rejects.toThrow(FrameRefError);
  });
});
