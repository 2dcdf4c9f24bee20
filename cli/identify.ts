// `facestream identify <photo>...`: every face of every photo, with attributes and the watch-list candidates.
import { PhotoError, readPhoto } from '../models/image/read-photo.ts';
import { decideMatch } from '../pipelines/match/index.ts';
import type { IdentifiedFace, IdentifyOutput } from '../report/identify-schema.ts';
import type { DetectedFace, RgbImage } from '../schemas/records.ts';
import { createRunContext, type ContextOptions, type RunContext } from './context.ts';

export interface IdentifyOptions extends Omit<ContextOptions, 'onRejected'> {
  readonly photos: readonly string[];
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));
const area = (f: DetectedFace) => (f.box.x2 - f.box.x1) * (f.box.y2 - f.box.y1);

async function identifyFaces(ctx: RunContext, image: RgbImage): Promise<IdentifiedFace[]> {
  const faces = (await ctx.models.detect(image)).sort((a, b) => area(b) - area(a));
  if (faces.length === 0) return [];
  const items = faces.map((face) => ({ image, face }));
  const vectors = await ctx.models.embed(items);
  const attributes = await ctx.models.attributes(items, ctx.config.attributes);
  return faces.map((face, i) => {
    const candidates = ctx.index.search(vectors[i]!, ctx.config.match.max_candidates);
    const decision = decideMatch(candidates, ctx.config.match.confidence_threshold);
    const { box } = face;
    return {
      bbox: { left: Math.round(box.x1), top: Math.round(box.y1), right: Math.round(box.x2), bottom: Math.round(box.y2) },
      bbox_rel: { x: round(box.x1 / image.width), y: round(box.y1 / image.height), w: round((box.x2 - box.x1) / image.width), h: round((box.y2 - box.y1) / image.height) },
      detection_score: round(face.score),
      quality: round(Math.min(0, face.quality), 3),
      attributes: JSON.parse(JSON.stringify(attributes[i])) as IdentifiedFace['attributes'],
      matched: decision.matched,
      dossier: decision.dossier,
      confidence: round(decision.confidence),
      candidates: candidates.map((c) => ({ dossier: c.dossier, photo: c.dossierFace, watch_list: c.watchList, confidence: round(c.confidence) })),
    };
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
