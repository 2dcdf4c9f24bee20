// Edge-camera pushes identified in process: Viewtron pushes built from the deepface photos of enrolled people go
// through the receiver, embed, match and episodes of the viewtron-embedded topology (without its store sinks) and
// come out as events naming the right dossier, with the device's attributes on them.
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRunContext, type RunContext } from '../cli/context.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import { subjectFace } from '../models/testing/deepface.ts';
import { ANALYTICS_SINK_STAGES } from '../pipelines/sink-clickhouse/index.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { SUCCESS_BODY } from '../pipelines/viewtron/index.ts';
import { nvrPush, push } from '../pipelines/viewtron/testing/client.ts';
import { b64, cameraCrop, ipcFacePush, nvrFacePush, pixelRect, sceneJpeg } from '../pipelines/viewtron/testing/pushes.ts';
import type { EpisodeChange, FaceEvent } from '../schemas/records.ts';
import { buildInProcess } from '../topologies/build-inproc.ts';
import { withoutStages } from '../topologies/plan.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';
import { FACE_PHOTO } from './paths.ts';

let run: RunContext;

beforeAll(async () => {
  // master.csv pairs (Yes): img20/img21 and img16/img17 are the same persons; img3 is someone else
  const watchlist = await mkdtemp(join(tmpdir(), 'fs-vt-'));
  await mkdir(join(watchlist, 'person-a'));
  await copyFile(FACE_PHOTO('img20.jpg'), join(watchlist, 'person-a', 'a.jpg'));
  await copyFile(FACE_PHOTO('img16.jpg'), join(watchlist, 'person-b.jpg'));
  run = await createRunContext({
    watchlistDir: watchlist,
    overrides: { runtime: { model_workers: 0 }, viewtron: { host: '127.0.0.1', port: 0 } },
    onRejected: (m) => expect.fail(m),
  });
}, 120_000);
afterAll(() => run?.models.close());

/** What a camera pushes for the subject of a photo: its crop, and the whole photo as the full frame. */
async function pushed(file: string) {
  const photo = await readPhoto(FACE_PHOTO(file));
  const box = subjectFace(await run.models.detect(photo))!.box;
  return { photo, box, crop: b64(await cameraCrop(photo, box)), scene: b64(await sceneJpeg(photo)) };
}

describe('Viewtron pushes through embed, match and episodes (in process)', () => {
  it('identifies enrolled people from IPC and NVR pushes and leaves a stranger unknown, device attributes kept', async () => {
    const events: FaceEvent[] = [];
    const episodes: EpisodeChange[] = [];
    const spec = withoutStages(TOPOLOGIES['viewtron-embedded']!, ANALYTICS_SINK_STAGES);
    const abort = new AbortController();
    const { graph, stages } = buildInProcess(spec, 'main', {
      deps: { config: run.config, models: run.models, index: run.index },
      taps: { matches: [(e) => void events.push(e as FaceEvent)], episodes: [(c) => void episodes.push(c as EpisodeChange)] },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      clock: systemClock,
      signal: abort.signal,
    });
    const running = graph.run();
    const { port } = await stages.viewtron!.listening;

    const [a, b, stranger] = await Promise.all([pushed('img21.jpg'), pushed('img17.jpg'), pushed('img3.jpg')]);
    // IPC direct, crop only (the camera's "target picture")
    expect(await push(port, ipcFacePush({ currentTime: '1767225600000000', faces: [{ targetId: 1, crop: a.crop }] }))).toMatchObject({ status: 200, body: SUCCESS_BODY });
    expect(await push(port, ipcFacePush({ smartType: 'VFD_MATCH', currentTime: '1767225601000000', faces: [{ targetId: 3, crop: stranger.crop }] }))).toMatchObject({ status: 200 });
    // NVR forwarded, full frame and box in pixels, with the device's attributes
    const rect = pixelRect(b.box);
    const nvr = nvrFacePush({ currentTime: '1767225602000000', scene: b.scene, sceneSize: b.photo, faces: [{ targetId: 2, rect, crop: b.crop, attributes: { age: 'middleAged', sex: 'female', glasses: 'no', mask: 'no' } }] });
    expect(await nvrPush(port, nvr)).toMatch(/^HTTP\/1\.1 200 OK/);

    await vi.waitFor(() => expect(events).toHaveLength(3), { timeout: 60_000, interval: 100 });
    abort.abort();
    await running;

    const byTarget = new Map(events.map((e) => [e.embedding.post.device?.targetId, e]));
    expect(byTarget.get('1')).toMatchObject({ matched: true, dossier: 'person-a', embedding: { post: { camera: 'viewtron-001122334455', device: { eventType: 'VFD' } } } });
    expect(byTarget.get('2')).toMatchObject({
      matched: true,
      dossier: 'person-b',
      embedding: { post: { camera: 'viewtron-001122334466-ch3', device: { eventType: 'videoFaceDetect', age: 'middleAged', sex: 'female', glasses: 'no', mask: 'no' } } },
    });
    expect(byTarget.get('3')).toMatchObject({ matched: false, dossier: null, embedding: { post: { device: { eventType: 'VFD_MATCH' } } } });
    // facestream's own attributes are read as for any face, beside the device's
    expect(byTarget.get('2')!.embedding.attributes.gender).toBeDefined();
    // and the events open episodes like any other: one per person, the matched ones naming their dossier
    const opened = episodes.filter((c) => c.kind === 'open');
    expect(opened.map((c) => c.dossier).sort()).toEqual(['person-a', 'person-b', null].sort());
  }, 120_000);
});
