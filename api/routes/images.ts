// Images behind the JSON objects, read from the frame store (frame_store.dir): an event's full frame and its face
// crop, a camera's latest kept frame, a dossier face's photo. The crop is cut from the kept frame on request rather
// than stored twice; so every image lives as long as the frame store's retention keeps its frame, and a missing
// one is a 404 that says why. The routes live with their resource (events.ts, cameras.ts, dossier-faces.ts) to
// reuse its rights checks; these are the parts they share.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import sharp from 'sharp';
import { Type, type TSchema } from '@sinclair/typebox';
import type { RgbImage } from '../../schemas/records.ts';
import { localFrameStore } from '../../stores/frames/local-frame-store.ts';
import { API_PREFIX } from '../app.ts';
import { ApiError } from '../errors.ts';
import { errors } from '../schemas/common.ts';

/** An image answer (OpenAPI): JPEG bytes. */
const Jpeg = Type.String({ format: 'binary', description: 'a JPEG image' });

/** A JPEG route's options (OpenAPI): its resource's tags and id params, 404 when it is not kept or not visible. */
export const imageRoute = (tags: string[], summary: string, params: TSchema) => ({
  schema: { tags, summary, params, produces: ['image/jpeg'], response: { 200: Jpeg, ...errors(404) } },
});

/** The image URLs the JSON objects carry (FindFace's `thumbnail`, `fullframe`, the camera's `screenshot`). */
export const imageUrl = {
  eventThumbnail: (id: string) => `${API_PREFIX}/events/${encodeURIComponent(id)}/thumbnail.jpg`,
  eventFrame: (id: string) => `${API_PREFIX}/events/${encodeURIComponent(id)}/frame.jpg`,
  dossierFace: (id: number) => `${API_PREFIX}/dossier-faces/${id}/thumbnail.jpg`,
  cameraScreenshot: (id: number) => `${API_PREFIX}/cameras/${id}/screenshot.jpg`,
};

const missing = (what: string, why: string) => new ApiError('FS_ERR_NOT_FOUND', `${what}: ${why}`, undefined, 'image_not_kept');

/** The JPEG at `ref` in the frame store; 404 saying why when there is none. */
export async function keptImage(app: FastifyInstance, ref: string | null | undefined, what: string): Promise<Buffer> {
  if (!app.framesDir) throw missing(what, 'this API keeps no frames (frame_store.dir is not set)');
  if (!ref) throw missing(what, 'its frame was not kept (no frame store where it was taken)');
  try {
    return await localFrameStore(app.framesDir).get(ref);
  } catch {
    throw missing(what, 'no longer kept (frame_store.retention_hours) or never written');
  }
}

export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** The face `box` of `frame` with a margin of half its size each side (FindFace's thumbnails show the whole head). */
export async function faceCrop(frame: Buffer, box: Box): Promise<Buffer> {
  const image = sharp(frame);
  const { width = 0, height = 0 } = await image.metadata();
  const mx = (box.x2 - box.x1) / 2;
  const my = (box.y2 - box.y1) / 2;
  const left = Math.max(0, Math.floor(box.x1 - mx));
  const top = Math.max(0, Math.floor(box.y1 - my));
  const right = Math.min(width, Math.ceil(box.x2 + mx));
  const bottom = Math.min(height, Math.ceil(box.y2 + my));
  if (right - left < 1 || bottom - top < 1) throw new ApiError('FS_ERR_NOT_FOUND', 'the face box lies outside its kept frame', undefined, 'image_not_kept');
  return image.extract({ left, top, width: right - left, height: bottom - top }).jpeg({ quality: 90 }).toBuffer();
}

/** Where uploaded dossier photos go in the frame store: beside the camera folders, out of the sweeper's reach (it only deletes hour folders and clips). */
const DOSSIER_PHOTOS = 'dossier-faces';

/**
 * Keeps an uploaded dossier photo (decoded, as JPEG) in the frame store; resolves to its ref (the face's
 * source_photo), or null when this API keeps no frames.
 */
export async function keepDossierPhoto(app: FastifyInstance, image: RgbImage): Promise<string | null> {
  if (!app.framesDir) return null;
  const ref = join(DOSSIER_PHOTOS, `${randomUUID()}.jpg`);
  const path = join(app.framesDir, ref);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  return ref;
}

/** Removes a deleted face's uploaded photo (an event's frame it came from stays: the event still shows it). */
export async function dropDossierPhoto(app: FastifyInstance, ref: string | null): Promise<void> {
  if (app.framesDir && ref?.startsWith(`${DOSSIER_PHOTOS}/`)) await rm(join(app.framesDir, ref), { force: true });
}

const HOUR_FOLDER = /^\d{4}-\d{2}-\d{2}-\d{2}$/;
const byNumber = (a: string, b: string) => parseInt(a, 10) - parseInt(b, 10);

/** The frameRef of the last frame kept of `camera` (the frame store's layout: camera/UTC hour/seq.jpg), or null. */
export async function latestFrameRef(dir: string, camera: string): Promise<string | null> {
  const cameraDir = encodeURIComponent(camera);
  const hours = (await readdir(join(dir, cameraDir)).catch(() => [] as string[])).filter((h) => HOUR_FOLDER.test(h)).sort().reverse();
  for (const hour of hours) {
    const frames = (await readdir(join(dir, cameraDir, hour)).catch(() => [] as string[])).filter((f) => /^\d+\.jpg$/.test(f)).sort(byNumber);
    const last = frames.at(-1);
    if (last) return join(cameraDir, hour, last);
  }
  return null;
}

/**
 * Sends a JPEG for the browser's cache: private (it is behind a token), for `maxAgeS` seconds — an event's images
 * never change, a camera's screenshot does.
 */
export function sendJpeg(reply: FastifyReply, jpeg: Buffer, maxAgeS: number): FastifyReply {
  return reply.type('image/jpeg').header('cache-control', `private, max-age=${maxAgeS}`).send(jpeg);
}
