// Decode a photo file (enrolment pictures, API uploads) into packed RGB, honouring EXIF orientation, with the
// limits FindFace applies to uploaded photos. Every failure is a PhotoError with a code the API can map.
import sharp from 'sharp';
import { readFile, stat } from 'node:fs/promises';
import type { RgbImage } from '../../schemas/records.ts';
import { decodeBmp, isBmp } from './decode-bmp.ts';

export const PHOTO_ERROR_CODES = ['not_found', 'too_large', 'unsupported_format', 'unreadable', 'too_many_pixels'] as const;
export type PhotoErrorCode = (typeof PHOTO_ERROR_CODES)[number];

export class PhotoError extends Error {
  constructor(
    readonly code: PhotoErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PhotoError';
  }
}

/** Formats accepted, as sharp names them. */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif'] as const;

export interface PhotoLimits {
  /** longest side in pixels (FindFace: 6000) */
  readonly maxSide: number;
  /** file size in bytes (FindFace: 10 MB) */
  readonly maxBytes: number;
}

export const FINDFACE_PHOTO_LIMITS: PhotoLimits = { maxSide: 6000, maxBytes: 10 * 1024 * 1024 };

export async function readPhoto(path: string, limits: PhotoLimits = FINDFACE_PHOTO_LIMITS): Promise<RgbImage> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new PhotoError('not_found', path, 'not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof PhotoError) throw err;
    throw new PhotoError('not_found', path, 'no such file');
  }
  if (size > limits.maxBytes) {
    throw new PhotoError('too_large', path, `file is ${(size / 1048576).toFixed(1)} MB, the limit is ${(limits.maxBytes / 1048576).toFixed(1)} MB`);
  }

  const bytes = await readFile(path);
  if (isBmp(bytes)) return readBmp(path, bytes, limits);

  let format: string | undefined;
  let width = 0;
  let height = 0;
  try {
    const meta = await sharp(bytes).metadata();
    format = meta.format;
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (err) {
    const msg = (err as Error).message;
    if (/unsupported image format/i.test(msg)) {
      throw new PhotoError('unsupported_format', path, `not an image in a supported format (accepted: ${ACCEPTED_FORMATS.join(', ')})`);
    }
    throw new PhotoError('unreadable', path, `cannot read the image: ${msg}`);
  }
  // sharp also decodes heif/avif, svg, pdf…: decodable is not the same as accepted.
  if (!format || !(ACCEPTED_FORMATS as readonly string[]).includes(format)) {
    throw new PhotoError('unsupported_format', path, `format ${format ?? 'unknown'} is not accepted (accepted: ${ACCEPTED_FORMATS.join(', ')})`);
  }
  if (Math.max(width, height) > limits.maxSide) {
    throw new PhotoError('too_many_pixels', path, `image is ${width}×${height}, the limit is ${limits.maxSide} px per side`);
  }

  try {
    // failOn 'error' rejects truncated or corrupt data instead of returning a half-grey picture.
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .rotate() // applies and strips the EXIF orientation
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new PhotoError('unreadable', path, `cannot decode the image: ${(err as Error).message}`);
  }
}

function readBmp(path: string, bytes: Uint8Array, limits: PhotoLimits): RgbImage {
  let img: RgbImage;
  try {
    img = decodeBmp(bytes);
  } catch (err) {
    throw new PhotoError('unreadable', path, `cannot decode the BMP: ${(err as Error).message}`);
  }
  if (Math.max(img.width, img.height) > limits.maxSide) {
    throw new PhotoError('too_many_pixels', path, `image is ${img.width}×${img.height}, the limit is ${limits.maxSide} px per side`);
  }
  return img;
}
