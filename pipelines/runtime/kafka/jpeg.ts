// Pixels cross Kafka as JPEG (sharp: prebuilt libvips, correct colours; node-av's toJpeg ignores colour range).
// A frame decoded from the `frames` topic remembers its JPEG bytes, so a stage that sends the same pixels on
// (detect → detections) reuses them instead of compressing a second generation.
import sharp from 'sharp';
import type { RgbImage } from '../../../schemas/records.ts';

const sourceJpeg = new WeakMap<Uint8Array, Buffer>();

export class BadImageError extends Error {
  constructor(reason: string) {
    super(`image does not decode: ${reason}`);
    this.name = 'BadImageError';
  }
}

export async function encodeJpeg(image: RgbImage, quality: number, maxWidth = Infinity): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const known = sourceJpeg.get(image.data);
  if (known && image.width <= maxWidth) return { jpeg: known, width: image.width, height: image.height };
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  let { width, height } = image;
  if (width > maxWidth) {
    height = Math.max(1, Math.round((height * maxWidth) / width));
    width = maxWidth;
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  }
  return { jpeg: await pipeline.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' }).toBuffer(), width, height };
}

export async function decodeJpeg(jpeg: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(jpeg, { failOn: 'error' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    sourceJpeg.set(pixels, Buffer.from(jpeg));
    return { width: info.width, height: info.height, data: pixels };
  } catch (err) {
    throw new BadImageError((err as Error).message);
  }
}

export const EMPTY_IMAGE: RgbImage = Object.freeze({ width: 0, height: 0, data: new Uint8Array(0) });
