// A face push → the face posts the embed stage takes, like the track stage's. The device's crop is not embedded
// as it comes: the face is found again with our detector (box, five landmarks, pose, quality), so the embed stage
// aligns it exactly as it aligns faces found in video. Where the push has the full frame and the device's box,
// the face is looked for in the frame around that box (more context, the device's own pixels); else in the
// device's crop, padded so the face sits at a scale the detector knows. Every image is decoded before any post is
// made, so a push either yields its posts or fails whole. The full frame, when a face was found in it, goes to the
// frame store (when there is one) as the event's evidence, like ingest's frames.
import sharp from 'sharp';
import type { FaceModels } from '../../models/face-models.types.ts';
import { FINDFACE_PHOTO_LIMITS } from '../../models/image/read-photo.ts';
import type { Box, DetectedFace, DeviceAttributes, FacePost, Point, RgbImage } from '../../schemas/records.ts';
import type { FrameStore } from '../../stores/frames/local-frame-store.ts';
import { BadImageError, decodeImage } from '../runtime/kafka/image-codec.ts';
import { boxArea, boxCentre, iou, translate } from '../track/box.ts';
import { cropAround } from '../track/post-crop.ts';
import type { ViewtronConfig } from './config.ts';
import { ViewtronPushError, type DeviceRect, type FacePush, type PushedFace } from './parse.ts';

/** Longest image side accepted (FindFace's photo limit, as for uploads): a small JPEG can still decode to a huge raster. */
const MAX_SIDE = FINDFACE_PHOTO_LIMITS.maxSide;
/** A detection overlapping the device's box less than this is someone else. */
const MIN_IOU = 0.1;

export interface FacePostsOptions {
  readonly camera: string;
  /** when the push arrived (ms since the epoch): its time when the device's is missing or not trusted */
  readonly receivedMs: number;
  readonly config: Pick<ViewtronConfig, 'nvr_rect_units' | 'use_device_time'>;
  readonly models: Pick<FaceModels, 'detect'>;
  /** where the push's full frame is kept (frame.frameRef of the posts found in it); none: not kept */
  readonly frameStore?: Pick<FrameStore, 'put'>;
}

export interface FacePostsResult {
  readonly posts: FacePost[];
  /** pushed faces our detector did not find again (nothing posted for them) */
  readonly notFound: number;
}

async function decode(bytes: Uint8Array, what: string): Promise<RgbImage> {
  try {
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    if (Math.max(width, height) > MAX_SIDE) throw new BadImageError(`${width}×${height} is over ${MAX_SIDE} px a side`);
    return await decodeImage(bytes);
  } catch (err) {
    throw new ViewtronPushError('bad_image', `${what} does not decode: ${(err as Error).message}`);
  }
}

/** The device's box in pixels of the full frame, or undefined when its scale cannot be told. */
export function rectInPixels(rect: DeviceRect, frame: { width: number; height: number }, units: FacePush['rectUnits'], nvrUnits: ViewtronConfig['nvr_rect_units']): Box | undefined {
  const normalized = units === 'normalized' || nvrUnits === 'normalized' || (nvrUnits === 'auto' && (rect.x2 > frame.width || rect.y2 > frame.height));
  const box = normalized
    ? { x1: (rect.x1 / 10000) * frame.width, y1: (rect.y1 / 10000) * frame.height, x2: (rect.x2 / 10000) * frame.width, y2: (rect.y2 / 10000) * frame.height }
    : rect;
  return box.x2 <= frame.width && box.y2 <= frame.height ? box : undefined;
}

function shiftFace(face: DetectedFace, dx: number, dy: number): DetectedFace {
  if (dx === 0 && dy === 0) return face;
  return { ...face, box: translate(face.box, dx, dy), landmarks5: face.landmarks5.map(([x, y]): Point => [x + dx, y + dy]) };
}

/** The device's crop in the middle of a black canvas twice its size: the face at a scale the detector knows. */
function padded(crop: RgbImage): { image: RgbImage; inner: Box } {
  const px = Math.round(crop.width / 2);
  const py = Math.round(crop.height / 2);
  const width = crop.width + 2 * px;
  const height = crop.height + 2 * py;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < crop.height; y++) data.set(crop.data.subarray(y * crop.width * 3, (y + 1) * crop.width * 3), ((y + py) * width + px) * 3);
  return { image: { width, height, data }, inner: { x1: px, y1: py, x2: px + crop.width, y2: py + crop.height } };
}

interface Found {
  readonly frame: RgbImage;
  readonly face: DetectedFace;
}

async function inFrameAround(models: FacePostsOptions['models'], frame: RgbImage, box: Box): Promise<Found | undefined> {
  const region = cropAround({ left: 0, top: 0, image: frame }, box);
  const faces = (await models.detect(region.image)).map((f) => shiftFace(f, region.left, region.top));
  const best = faces.map((face) => ({ face, overlap: iou(face.box, box) })).sort((a, b) => b.overlap - a.overlap)[0];
  return best && best.overlap >= MIN_IOU ? { frame, face: best.face } : undefined;
}

async function inCrop(models: FacePostsOptions['models'], crop: RgbImage): Promise<Found | undefined> {
  const { image, inner } = padded(crop);
  const inside = (f: DetectedFace) => {
    const [cx, cy] = boxCentre(f.box);
    return cx >= inner.x1 && cx < inner.x2 && cy >= inner.y1 && cy < inner.y2;
  };
  // the crop's subject: the most confident face centred in it, the larger of near ties
  const faces = (await models.detect(image)).filter(inside);
  const top = Math.max(...faces.map((f) => f.score));
  const face = faces.filter((f) => f.score >= top - 0.01).sort((a, b) => boxArea(b.box) - boxArea(a.box))[0];
  return face ? { frame: image, face } : undefined;
}

function deviceAttributes(push: FacePush, face: PushedFace | undefined): DeviceAttributes {
  const a = face?.attributes ?? {};
  return {
    vendor: 'viewtron',
    eventType: push.smartType,
    deviceName: push.device.name ?? null,
    targetId: face?.targetId ?? null,
    age: a.age ?? null,
    sex: a.sex ?? null,
    glasses: a.glasses ?? null,
    mask: a.mask ?? null,
  };
}

/**
 * Each push is its own track of one overall post (the embed stage then keeps no state for it). The track id
 * carries the device's target id and the push time, so a push delivered twice makes the same event id while a
 * target id the device reuses after a restart does not.
 */
function post(push: FacePush, opts: FacePostsOptions, ts: number, n: number, found: Found, pushed: PushedFace | undefined, frameRef: string | undefined): FacePost {
  const trackId = `${pushed?.targetId !== undefined ? `t${pushed.targetId}` : `f${n}`}@${ts}`;
  // a push has no stream: its "stream time" is seconds since the epoch
  const t = ts / 1000;
  return {
    camera: opts.camera,
    trackId,
    postNo: 1,
    postType: 'overall',
    frame: { camera: opts.camera, seq: ts, ts, t_s: t, width: found.frame.width, height: found.frame.height, ...(frameRef !== undefined ? { frameRef } : {}) },
    face: found.face,
    crop: cropAround({ left: 0, top: 0, image: found.frame }, found.face.box),
    trackFirstTs: ts,
    trackLastTs: ts,
    trackFirstT: t,
    trackLastT: t,
    trackFrames: 1,
    device: deviceAttributes(push, pushed),
  };
}

export async function facePostsOf(push: FacePush, opts: FacePostsOptions): Promise<FacePostsResult> {
  const { models } = opts;
  const scene = push.scene ? await decode(push.scene, 'the full frame') : undefined;
  const crops = await Promise.all(push.faces.map((f, i) => (f.crop ? decode(f.crop, `face ${i + 1}'s crop`) : Promise.resolve(undefined))));
  const ts = (opts.config.use_device_time ? push.timeMs : undefined) ?? opts.receivedMs;
  // kept once per push, and only when a face was found in it (a face found in its crop has the crop as its frame)
  let kept: Promise<string> | undefined;
  const frameRefOf = (frame: RgbImage) => (scene && frame === scene && opts.frameStore ? (kept ??= opts.frameStore.put(opts.camera, ts, ts, scene)) : undefined);
  const posts: FacePost[] = [];
  if (push.faces.length === 0 && scene) {
    // a face event without its list (NVR): every face in the frame
    for (const face of await models.detect(scene)) posts.push(post(push, opts, ts, posts.length + 1, { frame: scene, face }, undefined, await frameRefOf(scene)));
    return { posts, notFound: posts.length === 0 ? 1 : 0 };
  }
  let notFound = 0;
  for (const [i, pushed] of push.faces.entries()) {
    const box = scene && pushed.rect ? rectInPixels(pushed.rect, scene, push.rectUnits, opts.config.nvr_rect_units) : undefined;
    const crop = crops[i];
    const found = (scene && box ? await inFrameAround(models, scene, box) : undefined) ?? (crop ? await inCrop(models, crop) : undefined);
    if (found) posts.push(post(push, opts, ts, i + 1, found, pushed, await frameRefOf(found.frame)));
    else notFound++;
  }
  return { posts, notFound };
}
