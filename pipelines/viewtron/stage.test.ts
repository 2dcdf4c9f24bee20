// The receiver over real HTTP with the real detector: what devices are answered, what goes downstream, and that
// bad pushes are refused whole with a reason while the receiver keeps serving.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { loadFaceModels } from '../../models/face-models.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { readPhoto } from '../../models/image/read-photo.ts';
import { subjectFace } from '../../models/testing/deepface.ts';
import type { Box, FacePost, RgbImage } from '../../schemas/records.ts';
import { localFrameStore, type FrameStore } from '../../stores/frames/local-frame-store.ts';
import { FACE_PHOTO } from '../../test/paths.ts';
import { mockContext, type MockContext } from '../runtime/testing/index.ts';
import { ViewtronConfig } from './config.ts';
import { createViewtronSource, FAILURE_BODY, SUCCESS_BODY } from './stage.ts';
import { deviceAgent, nvrPush, push } from './testing/client.ts';
import { b64, cameraCrop, IPC_ALARM_STATUS, ipcFacePush, KEEPALIVES, normalizedRect, nvrFacePush, pixelRect, sceneJpeg } from './testing/pushes.ts';

let models: FaceModels;
let photo: RgbImage;
let box: Box;
let crop = '';
let scene = '';

interface Running {
  readonly port: number;
  readonly ctx: MockContext<FacePost>;
  stop(): Promise<void>;
}

/** `handOn`: in place of the mock's forward (which takes every post at once), e.g. one that never acknowledges. */
async function start(over: Record<string, unknown> = {}, handOn?: (post: FacePost) => Promise<void>, frameStore?: FrameStore): Promise<Running> {
  const config = validateOrThrow(ViewtronConfig, { host: '127.0.0.1', port: 0, body_limit_bytes: 2 * 1024 * 1024, ...over }, 'viewtron');
  const source = createViewtronSource({ config, models, frameStore });
  const mock = mockContext<FacePost>({ now: Date.UTC(2026, 5, 1) });
  const ctx = handOn ? { ...mock, forward: handOn } : mock;
  const abort = new AbortController();
  const done = source.run(ctx, abort.signal);
  const { port } = await source.listening;
  return { port, ctx, stop: () => (abort.abort(), done) };
}

beforeAll(async () => {
  models = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 1 });
  photo = await readPhoto(FACE_PHOTO('img20.jpg'));
  box = subjectFace(await models.detect(photo))!.box;
  crop = b64(await cameraCrop(photo, box));
  scene = b64(await sceneJpeg(photo));
}, 60_000);
afterAll(() => models?.close());

describe('viewtron receiver: what devices are answered', () => {
  let r: Running;
  beforeAll(async () => (r = await start()));
  afterAll(() => r.stop());

  it('keepalives, alarm status and other event kinds: 200 with the exact success document, nothing posted, over one kept-alive connection', async () => {
    const agent = deviceAgent();
    for (const body of [KEEPALIVES.empty, KEEPALIVES.ipcV1, KEEPALIVES.ipcApi21, KEEPALIVES.nvr, IPC_ALARM_STATUS, ipcFacePush({ smartType: 'VEHICE', faces: [] })]) {
      expect(await push(r.port, body, { agent })).toEqual({ status: 200, contentType: 'application/xml', body: SUCCESS_BODY });
    }
    agent.destroy();
    expect(r.ctx.take()).toEqual([]);
    expect(r.ctx.counts.get('pushes_keepalive')).toBe(4);
    expect(r.ctx.counts.get('pushes_set_aside')).toBe(2);
  });

  it('IPC VFD with its crop only: the face found again in the crop, posted with its camera, landmarks and device attributes', async () => {
    const answer = await push(r.port, ipcFacePush({ faces: [{ targetId: 7, crop }] }));
    expect(answer).toMatchObject({ status: 200, body: SUCCESS_BODY });
    const [post, ...more] = r.ctx.take();
    expect(more).toEqual([]);
    expect(post).toMatchObject({
      camera: 'viewtron-001122334455',
      trackId: `t7@${Date.UTC(2026, 0, 1, 0, 0, 0, 250)}`,
      postNo: 1,
      postType: 'overall',
      device: { vendor: 'viewtron', eventType: 'VFD', deviceName: 'Lobby Cam', targetId: '7', age: null, sex: null },
    });
    expect(post!.frame.ts).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
    expect(post!.face.landmarks5).toHaveLength(5);
    expect(post!.face.quality).toBeGreaterThan(-2);
    // the crop sits in the middle of the padded canvas the face was found in
    const { box: b } = post!.face;
    expect(b.x1).toBeGreaterThan(post!.frame.width / 4 - 10);
    expect(b.x2).toBeLessThan((post!.frame.width * 3) / 4 + 10);
  });

  it('NVR videoFaceDetect in absolute form: the face found in the full frame at the device box, attributes kept as sent', async () => {
    const rect = pixelRect(box);
    const body = nvrFacePush({ scene, sceneSize: photo, faces: [{ targetId: 21, rect, crop, attributes: { age: 'middleAged', sex: 'male', glasses: 'no', mask: 'unknown' } }] });
    const raw = await nvrPush(r.port, body);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw.endsWith(SUCCESS_BODY)).toBe(true);
    const [post] = r.ctx.take();
    expect(post).toMatchObject({
      camera: 'viewtron-001122334466-ch3',
      frame: { width: photo.width, height: photo.height },
      device: { eventType: 'videoFaceDetect', deviceName: 'Main NVR', targetId: '21', age: 'middleAged', sex: 'male', glasses: 'no', mask: 'unknown' },
    });
    // the detector's box, in the frame, on the face the device boxed
    expect(Math.abs(post!.face.box.x1 - box.x1)).toBeLessThan(10);
    expect(Math.abs(post!.face.box.y2 - box.y2)).toBeLessThan(10);
  });

  it('a chunked body is read whole, never taken for an empty keepalive', async () => {
    expect(await push(r.port, ipcFacePush({ faces: [{ targetId: 9, crop }] }), { chunked: true })).toMatchObject({ status: 200, body: SUCCESS_BODY });
    expect(r.ctx.take().map((p) => p.device?.targetId)).toEqual(['9']);
  });

  it('IPC box in 0–10000 units picks the face in the full frame', async () => {
    await push(r.port, ipcFacePush({ scene, sceneSize: photo, faces: [{ targetId: 8, rect: normalizedRect(box, photo), crop }] }));
    const [post] = r.ctx.take();
    expect(post!.frame).toMatchObject({ width: photo.width, height: photo.height });
  });
});

describe('viewtron receiver: bad pushes get a 4xx with the reason, nothing half-written, the receiver stays up', () => {
  let r: Running;
  beforeAll(async () => (r = await start({ body_limit_bytes: 64 * 1024 })));
  afterAll(() => r.stop());

  it.each([
    ['malformed XML', () => ipcFacePush({ faces: [{ crop }] }).slice(0, 300), 400, /^malformed_xml: /],
    ['bad base64', () => ipcFacePush({ faces: [{ crop: `${crop.slice(0, 100)}!!${crop.slice(100)}` }] }), 400, /^bad_base64: face 1's crop/],
    ['missing images', () => ipcFacePush({ faces: [{ targetId: 1 }] }), 400, /^missing_image: /],
    ['unknown smartType', () => ipcFacePush({ smartType: 'FACE', faces: [{ crop }] }), 400, /^unknown_smart_type: unknown smartType "FACE"/],
    // the first face is fine, the second's JPEG is cut short: neither is posted
    ['a corrupt JPEG beside a good one', () => ipcFacePush({ faces: [{ crop }, { crop: crop.slice(0, crop.length / 2 - ((crop.length / 2) % 4)) }] }), 400, /^bad_image: face 2's crop/],
    ['an oversized body', () => ipcFacePush({ faces: [{ crop: crop.repeat(1) }], scene: b64(Buffer.alloc(70 * 1024, 0xff)) }), 413, /^too_large: /],
  ])('%s', async (_what, body, status, reason) => {
    const answer = await push(r.port, body());
    expect(answer.status).toBe(status);
    expect(answer.body).toMatch(reason);
    expect(r.ctx.take()).toEqual([]);
    // and the next push is served
    expect(await push(r.port, ipcFacePush({ faces: [{ crop }] }))).toMatchObject({ status: 200, body: SUCCESS_BODY });
    expect(r.ctx.take()).toHaveLength(1);
  });

  it('an oversized chunked body (no Content-Length to refuse up front) is cut off at the limit', async () => {
    const body = ipcFacePush({ faces: [{ crop }], scene: b64(Buffer.alloc(70 * 1024, 0xff)) });
    expect(await push(r.port, body, { chunked: true })).toMatchObject({ status: 413, body: expect.stringMatching(/^too_large: /) });
    expect(r.ctx.take()).toEqual([]);
    expect(await push(r.port, KEEPALIVES.empty)).toMatchObject({ status: 200 });
  });

  it('counts what it refused', () => {
    expect(r.ctx.counts.get('pushes_refused')).toBe(7);
  });
});

describe('viewtron receiver: path and device settings', () => {
  it('a set path is the only one served; camera_ids names devices; unknown devices refused when asked', async () => {
    const r = await start({ path: '/API', camera_ids: { '00:11:22:33:44:55': 'lobby' }, accept_unknown_devices: false });
    try {
      expect(await push(r.port, KEEPALIVES.empty, { path: '/other' })).toMatchObject({ status: 404 });
      expect(await push(r.port, ipcFacePush({ faces: [{ crop }] }))).toMatchObject({ status: 200 });
      expect(r.ctx.take().map((p) => p.camera)).toEqual(['lobby']);
      expect(await push(r.port, ipcFacePush({ mac: '00:11:22:33:44:99', faces: [{ crop }] }))).toMatchObject({ status: 403, body: expect.stringMatching(/00:11:22:33:44:99/) });
      expect(r.ctx.take()).toEqual([]);
    } finally {
      await r.stop();
    }
  });
});

describe('viewtron receiver: faces not handed on are answered with the failure reply, so the device retries', () => {
  it('a hand-off that does not finish within handoff_timeout_ms, or fails: 503, the failure document, the connection closed', async () => {
    // a broker that never answers
    const r = await start({ handoff_timeout_ms: 300 }, () => new Promise<void>(() => undefined));
    try {
      const answer = await push(r.port, ipcFacePush({ faces: [{ targetId: 1, crop }] }));
      expect(answer).toEqual({ status: 503, contentType: 'application/xml', body: FAILURE_BODY });
      expect(r.ctx.counts.get('pushes_failed')).toBe(1);
      // keepalives carry nothing to hand on: still answered
      expect(await push(r.port, KEEPALIVES.empty)).toMatchObject({ status: 200, body: SUCCESS_BODY });
    } finally {
      await r.stop();
    }
    const rejecting = await start({}, () => Promise.reject(new Error('broker gone')));
    try {
      expect(await push(rejecting.port, ipcFacePush({ faces: [{ targetId: 2, crop }] }))).toMatchObject({ status: 503, body: FAILURE_BODY });
    } finally {
      await rejecting.stop();
    }
  });
});

describe('viewtron receiver: the full frame a push carries goes to the frame store', () => {
  it('a face found in the full frame refers to it (frameRef), kept at its size; a face found in its crop alone refers to nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-vt-frames-'));
    const store = localFrameStore(dir);
    const r = await start({}, undefined, store);
    try {
      const rect = pixelRect(box);
      expect(await push(r.port, nvrFacePush({ scene, sceneSize: photo, faces: [{ targetId: 30, rect, crop }] }))).toMatchObject({ status: 200 });
      expect(await push(r.port, ipcFacePush({ faces: [{ targetId: 31, crop }] }))).toMatchObject({ status: 200 });
      const [inFrame, inCrop] = r.ctx.take();
      expect(inFrame!.frame.frameRef).toMatch(/^viewtron-001122334466-ch3\//);
      const kept = await sharp(await store.get(inFrame!.frame.frameRef!)).metadata();
      expect({ width: kept.width, height: kept.height }).toEqual({ width: photo.width, height: photo.height });
      expect(inCrop!.frame.frameRef).toBeUndefined();
    } finally {
      await r.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
