// Embed stage: face posts → vectors and attributes. Vectors are computed in batches, and only when DeGirum's
// adaptive re-identification says the track's last vector has expired; the person's attributes once per track
// unless a clearly better face comes, the shot's for every post (track-attributes.ts).
import type { FaceModels } from '../../models/face-models.types.ts';
import type { FaceAttributes, FaceEmbedding, FacePost } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { AttributesConfig, EmbedConfig } from './config.ts';
import { faceInCrop } from './face-in-crop.ts';
import { ReidSchedule } from './reid-schedule.ts';
import { planAttributes, TrackAttributes } from './track-attributes.ts';

export interface EmbedStageOptions {
  readonly models: Pick<FaceModels, 'embed' | 'attributes' | 'embedderId'>;
  readonly embed: EmbedConfig;
  readonly attributes: AttributesConfig;
  readonly name?: string;
}

/** Track state older than this (stream time) belongs to tracks that ended long ago. */
const FORGET_AFTER_MS = 10 * 60 * 1000;

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
  const plan = planAttributes(options.attributes, options.embed);
  const person = new TrackAttributes(options.embed.attributes_reextract_quality_margin);
  let newestTs = 0;

  async function embedPart(posts: readonly FacePost[], ctx: StageContext<FaceEmbedding>): Promise<void> {
    const fresh = posts.filter((p) => schedule.decide(p) === 'fresh');
    const extract = plan.track ? posts.filter((p) => person.decide(p) === 'extract') : [];
    const none = (): FaceAttributes[] => [];
    // independent calls: with a model worker pool they run on different workers at once
    const [vectors, extracted, shots] = await Promise.all([
      fresh.length > 0 ? models.embed(fresh.map(modelInput)) : Promise.resolve([]),
      plan.track && extract.length > 0 ? models.attributes(extract.map(modelInput), plan.track) : Promise.resolve(none()),
      plan.shot ? models.attributes(posts.map(modelInput), plan.shot) : Promise.resolve(none()),
    ]);
    fresh.forEach((p, i) => schedule.fresh(p, vectors[i]!));
    ctx.count('embeddings_fresh', fresh.length);
    ctx.count('embeddings_reused', posts.length - fresh.length);
    if (plan.track) {
      ctx.count('attributes_extracted', extract.length);
      ctx.count('attributes_reused', posts.length - extract.length);
    }
    for (const [i, post] of posts.entries()) {
      const isFresh = fresh.includes(post);
      const vector = isFresh ? vectors[fresh.indexOf(post)]! : schedule.reuse(post);
      const k = extract.indexOf(post);
      const attributes: FaceAttributes = {
        ...(!plan.track ? {} : k >= 0 ? person.extracted(post, extracted[k]!) : person.reuse(post)),
        ...shots[i],
        ...(plan.poseFromLandmarks ? { headpose: post.face.pose } : {}),
      };
      if (post.postType === 'overall') {
        schedule.forget(post);
        person.forget(post);
      }
      newestTs = Math.max(newestTs, post.frame.ts);
      await ctx.forward({ post, modelId: models.embedderId, vector, attributes, fresh: isFresh });
    }
  }

  return {
    name: options.name ?? 'embed',
    maxBatch: options.embed.batch_size,
    async process(posts: readonly FacePost[], ctx: StageContext<FaceEmbedding>): Promise<void> {
      for (const part of partsWithDistinctTracks(posts)) await embedPart(part, ctx);
      schedule.evictBefore(newestTs - FORGET_AFTER_MS);
      person.evictBefore(newestTs - FORGET_AFTER_MS);
    },
  };
}
