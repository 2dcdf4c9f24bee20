// Embed stage: face posts → vectors and attributes. Vectors are computed in batches, and only when DeGirum's
// adaptive re-identification says the track's last vector has expired; attributes are computed for every post.
import type { FaceModels } from '../../models/face-models.types.ts';
import type { FaceAttributes, FaceEmbedding, FacePost } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { AttributesConfig, EmbedConfig } from './config.ts';
import { faceInCrop } from './face-in-crop.ts';
import { ReidSchedule } from './reid-schedule.ts';

export interface EmbedStageOptions {
  readonly models: Pick<FaceModels, 'embed' | 'attributes' | 'embedderId'>;
  readonly embed: EmbedConfig;
  readonly attributes: AttributesConfig;
  readonly name?: string;
}

/** Track state older than this (stream time) belongs to tracks that ended long ago. */
const FORGET_AFTER_MS = 10 * 60 * 1000;

const anyAttribute = (a: AttributesConfig) => Object.values(a).some(Boolean);

const modelInput = (p: FacePost) => ({ image: p.crop.image, face: faceInCrop(p.face, p.crop) });

/** Splits posts so no track appears twice in a part: a track's second post depends on its first one's vector. */
export function partsWithDistinctTracks(posts: readonly FacePost[]): FacePost[][] {
  const parts: FacePost[][] = [];
  let current: FacePost[] = [];
  let seen = new Set<string>();
  for (const post of posts) {
    const key = `${post.camera}\u0000${post.trackId}`;
    if (seen.has(key)) {
      parts.push(current);
      current = [];
      seen = new Set();
    }
    seen.add(key);
    current.push(post);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

export function createEmbedStage(options: EmbedStageOptions): Stage<FacePost, FaceEmbedding> {
  const { models } = options;
  const schedule = new ReidSchedule(options.embed);
  const withAttributes = anyAttribute(options.attributes);
  let newestTs = 0;

  async function embedPart(posts: readonly FacePost[], ctx: StageContext<FaceEmbedding>): Promise<void> {
    const fresh = posts.filter((p) => schedule.decide(p) === 'fresh');
    // vectors and attributes are independent: with a model worker pool they run on different workers at once
    const [vectors, attributes] = await Promise.all([
      fresh.length > 0 ? models.embed(fresh.map(modelInput)) : Promise.resolve([]),
      withAttributes
        ? models.attributes(posts.map(modelInput), options.attributes)
        : Promise.resolve(posts.map((): FaceAttributes => ({}))),
    ]);
    fresh.forEach((p, i) => schedule.fresh(p, vectors[i]!));
    ctx.count('embeddings_fresh', fresh.length);
    ctx.count('embeddings_reused', posts.length - fresh.length);
    for (const [i, post] of posts.entries()) {
      const isFresh = fresh.includes(post);
      const vector = isFresh ? vectors[fresh.indexOf(post)]! : schedule.reuse(post);
      if (post.postType === 'overall') schedule.forget(post);
      newestTs = Math.max(newestTs, post.frame.ts);
      await ctx.forward({ post, modelId: models.embedderId, vector, attributes: attributes[i]!, fresh: isFresh });
    }
  }

  return {
    name: options.name ?? 'embed',
    maxBatch: options.embed.batch_size,
    async process(posts: readonly FacePost[], ctx: StageContext<FaceEmbedding>): Promise<void> {
      for (const part of partsWithDistinctTracks(posts)) await embedPart(part, ctx);
      schedule.evictBefore(newestTs - FORGET_AFTER_MS);
    },
  };
}
