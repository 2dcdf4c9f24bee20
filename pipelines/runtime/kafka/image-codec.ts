// Pixels cross Kafka as JPEG, or PNG where results must equal the embedded topology's to the last digit
// (sharp: prebuilt libvips, correct colours; node-av's toJpeg ignores colour range). A frame decoded from the
// `frames` topic remembers its encoded bytes, so a stage that sends the same pixels on (detect → detections)
// reuses them instead of compressing a second generation.
import sharp from 'sharp';
import type { RgbImage } from '../../../schemas/records.ts';

export type ImageFormat = 'jpeg' | 'png';

const sourceBytes = new WeakMap<Uint8Array, Buffer>();

export class BadImageError extends Error {
  constructor(reason: string) {
    super(`image does not decode: ${reason}`);
    this.name = 'BadImageError';
  }
}

export async function encodeImage(image: RgbImage, quality: number, maxWidth = Infinity, format: ImageFormat = 'jpeg'): Promise<{ bytes: Buffer; width: number; height: number }> {
  const known = sourceBytes.get(image.data);
  if (known && image.width <= maxWidth) return { bytes: known, width: image.width, height: image.height };
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  let { width, height } = image;
  if (width > maxWidth) {
    height = Math.max(1, Math.round((height * maxWidth) / width));
    width = maxWidth;
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  }
  const encoded = format === 'png' ? pipeline.png({ compressionLevel: 1 }) : pipeline.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
  return { bytes: await encoded.toBuffer(), width, height };
}

/** The encoded bytes `image` was decoded from, when it came from the wire as is. */
export function sourceBytesOf(image: RgbImage): Buffer | undefined {
  return sourceBytes.get(image.data);
}

export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    sourceBytes.set(pixels, Buffer.from(bytes));
    return { width: info.width, height: info.height, data: pixels };
  } catch (err) {
    throw new BadImageError((err as Error).message);
  }
}

/**
 * An image passed through undecoded, for a stage that never reads pixels (match, episodes): it has the size but
 * no data, and encodeImage() gives back the bytes it came as. Decoding a crop per record would cost more than
 * the rest of such a stage's work.
 */
export function undecodedImage(bytes: Buffer, width: number, height: number): RgbImage {
  const data = new Uint8Array(0);
  sourceBytes.set(data, bytes);
  return { width, height, data };
}

export const EMPTY_IMAGE: RgbImage = Object.freeze({ width: 0, height: 0, data: new Uint8Array(0) });
