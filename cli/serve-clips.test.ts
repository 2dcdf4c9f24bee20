// Episode clips in serve, end to end on real stores (PGlite, chdb) and the face models: a file camera added through
// the API plays the padded clip (pipelines/clips/testing/media.ts); its episode closes when the file ends, and
// GET /episodes/{id}/clip serves an H.264 MP4 written under <frame_store.dir>/clips by the frame store hooks.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddedClip, probeFile, probePackets } from '../pipelines/clips/testing/media.ts';
import { startCamerasHarness, until, type CamerasHarness } from './serve-testing.ts';

let h: CamerasHarness;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fs-serve-clips-'));
  h = await startCamerasHarness({ config: { frame_store: { dir }, clips: { enabled: true, pre_roll: 2, post_roll: 1.5 } }, frameStore: true });
}, 90_000);

afterAll(async () => {
  await h?.close();
}, 30_000);

describe('serve records episode clips', () => {
  it('a file camera’s closed episode has its clip at GET /episodes/{id}/clip', async () => {
    const source = await paddedClip(dir);
    const camera = (await h.call<{ id: number }>('POST', '/api/v1/cameras', { name: 'lobby', url: `file://${source}` })).id;
    const episode = await until('a closed episode', async () => (await h.call<{ results: { id: string }[] }>('GET', `/api/v1/episodes?cameras=${camera}&open=false`)).results[0], 45_000);
    // the clip is renamed into place once the recorder has written its index
    const clip = await until('the clip', async () => {
      const r = await h.app.inject({ method: 'GET', url: `/api/v1/episodes/${episode.id}/clip` });
      return r.statusCode === 200 ? r : undefined;
    }, 10_000);
    expect(clip.headers['content-type']).toBe('video/mp4');
    const file = join(dir, 'served.mp4');
    await writeFile(file, clip.rawPayload);
    const probed = await probeFile(file);
    expect(probed.stream['codec_name']).toBe('h264');
    expect(probed.durationS).toBeGreaterThan(3);
    expect((await probePackets(file))[0]).toMatchObject({ pts: 0, keyframe: true });
  }, 60_000);
});
