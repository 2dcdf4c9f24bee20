// Full frames kept as evidence, on a local (or mounted) directory: <dir>/<camera>/<UTC hour>/<seq>.jpg. Records
// carry the path relative to <dir> (frameRef), not the pixels, so Kafka carries small frames and events can
// still show the full one. Hour folders make retention (sweeper.ts) a directory delete instead of a scan of every file.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../schemas/records.ts';

export interface FrameStore {
  /** keeps `image` (as JPEG, of the camera's jpeg_quality when given) as the frame `seq` of `camera` taken at `ts` (ms); resolves to its frameRef */
  put(camera: string, seq: number, ts: number, image: RgbImage, jpegQuality?: number): Promise<string>;
  get(frameRef: string): Promise<Buffer>;
}

const hourOf = (ts: number) => new Date(ts).toISOString().slice(0, 13).replace('T', '-'); // 2026-11-22-05

export class FrameRefError extends Error {
  constructor(ref: string) {
    super(`frame reference ${JSON.stringify(ref)} is not a path inside the frame store`);
    this.name = 'FrameRefError';
  }
}

export function localFrameStore(dir: string, jpegQuality = 90): FrameStore {
  const root = normalize(dir);
  const inside = (ref: string) => {
    const path = normalize(join(root, ref));
    if (!path.startsWith(root + sep)) throw new FrameRefError(ref);
    return path;
  };
  return {
    async put(camera, seq, ts, image, quality = jpegQuality) {
      const ref = join(encodeURIComponent(camera), hourOf(ts), `${seq}.jpg`);
      const path = inside(ref);
      const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality }).toBuffer();
      await mkdir(join(path, '..'), { recursive: true });
      // written whole or not at all: a reader never sees half a frame
      await writeFile(`${path}.tmp`, jpeg);
      await rename(`${path}.tmp`, path);
      return ref;
    },
    async get(ref) {
      return readFile(inside(ref));
    },
  };
}
