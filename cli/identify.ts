// `facestream identify <photo>...`: every face of every photo, with attributes and the watch-list candidates.
import { PhotoError, readPhoto } from '../models/image/read-photo.ts';
import { decideGlobal } from '../pipelines/match/index.ts';
import { faceFields } from '../report/face-fields.ts';
import type { IdentifiedFace, IdentifyOutput } from '../report/identify-schema.ts';
import type { DetectedFace, RgbImage } from '../schemas/records.ts';
import { createRunContext, type ContextOptions, type RunContext } from './context.ts';

export interface IdentifyOptions extends Omit<ContextOptions, 'onRejected'> {
  readonly photos: readonly string[];
}

const area = (f: DetectedFace) => (f.box.x2 - f.box.x1) * (f.box.y2 - f.box.y1);

async function identifyFaces(ctx: RunContext, image: RgbImage): Promise<IdentifiedFace[]> {
  const faces = (await ctx.models.detect(image)).sort((a, b) => area(b) - area(a));
  if (faces.length === 0) return [];
  const items = faces.map((face) => ({ image, face }));
  const [vectors, attributes] = await Promise.all([ctx.models.embed(items), ctx.models.attributes(items, ctx.config.attributes)]);
  const found = await ctx.index.searchMany(vectors, ctx.config.match.max_candidates);
  return faces.map((face, i) => {
    const { candidates, decision } = decideGlobal(found[i]!, ctx.config.match.confidence_threshold);
    return faceFields(face, image, attributes[i]!, { ...decision, candidates });
  });
}

export async function identify(opts: IdentifyOptions, onPhotoError: (message: string) => void): Promise<IdentifyOutput> {
  const ctx = await createRunContext({ ...opts, onRejected: (m) => onPhotoError(`watch list: skipped ${m}`) });
  try {
    const photos: IdentifyOutput['photos'] = [];
    for (const file of opts.photos) {
      try {
        const image = await readPhoto(file);
        photos.push({ file, width: image.width, height: image.height, faces: await identifyFaces(ctx, image) });
      } catch (err) {
        if (!(err instanceof PhotoError)) throw err;
        onPhotoError(err.message);
        photos.push({ file, faces: [], error: { code: err.code, message: err.message } });
      }
    }
    return { photos };
  } finally {
    await ctx.models.close();
  }
}
