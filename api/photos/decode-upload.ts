// An uploaded photo decoded with the same rules as enrolment photos (models/image/read-photo.ts: formats, EXIF
// orientation, FindFace's size limits), its refusals turned into API errors naming the field: too large → 413,
// not an accepted image format → 415, undecodable data → 422.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhotoError, readPhoto, type PhotoLimits } from '../../models/image/read-photo.ts';
import type { RgbImage } from '../../schemas/records.ts';
import { ApiError } from '../errors.ts';
import type { UploadedFile } from '../plugins/multipart.ts';

export async function decodeUpload(file: UploadedFile, limits: PhotoLimits): Promise<RgbImage> {
  if (file.data.length > limits.maxBytes) {
    throw new ApiError(
      'FS_ERR_TOO_LARGE',
      `${file.field}: the photo is ${(file.data.length / 1048576).toFixed(1)} MB, the limit is ${(limits.maxBytes / 1048576).toFixed(1)} MB`,
      file.field,
      'too_large',
    );
  }
  if (file.data.length === 0) throw new ApiError('FS_ERR_VALIDATION', `${file.field}: the file is empty`, file.field);
  // readPhoto reads files: the upload goes through a private temporary directory, removed at once
  const dir = await mkdtemp(join(tmpdir(), 'facestream-upload-'));
  const path = join(dir, 'photo');
  try {
    await writeFile(path, file.data, { mode: 0o600 });
    return await readPhoto(path, limits);
  } catch (err) {
    if (!(err instanceof PhotoError)) throw err;
    const message = `${file.field}: ${err.message.slice(path.length + 2)}`;
    switch (err.code) {
      case 'too_large':
      case 'too_many_pixels':
        throw new ApiError('FS_ERR_TOO_LARGE', message, file.field, err.code);
      case 'unsupported_format':
        throw new ApiError('FS_ERR_UNSUPPORTED_MEDIA', message, file.field, err.code);
      default:
        throw new ApiError('FS_ERR_NO_USABLE_FACE', message, file.field, 'unreadable');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
