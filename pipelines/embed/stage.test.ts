import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { FaceInImage, FaceModels } from '../../models/face-models.types.ts';
import type { FaceEmbedding } from '../../schemas/records.ts';
import { basis, facePost, mockContext } from '../runtime/testing/index.ts';
import { AttributesConfig, EmbedConfig } from './config.ts';
import { createEmbedStage, partsWithDistinctTracks } from './stage.ts';

/** Counts model calls; a track's vector is the basis vector of its number, so reuse is visible. */
function countingModels() {
  const calls: number[] = [];
  const models: Pick<FaceModels, 'embed' | 'attributes' | 'embedderId'> = {
    embedderId: 'test-embedder',
    async embed(faces: readonly FaceInImage[]) {
      calls.push(faces.length);
      return faces.map(() => basis(0));
    },
    async attributes(faces: readonly FaceInImage[]) {
      return faces.map(() => ({ gender: { name: 'female' as const, confidence: 0.9 } }));
    },
  };
  return { models, calls };
}

const embedConfig = (over: Record<string, unknown> = {}) => validateOrThrow(EmbedConfig, { batch_size: 4, reid_expiration_frames: 8, ...over }, 'embed');
const attributes = validateOrThrow(AttributesConfig, {}, 'attributes');

describe('embed stage', () => {
  it('re-embeds a stable track only at frames 1, 2, 4, 8 … and reuses the vector in between', async () => {
    const { models, calls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes });
    const ctx = mockContext<FaceEmbedding>();
    for (let f = 1; f <= 24; f++) await stage.process([facePost({ trackFrames: f, postNo: f, t: f / 10 })], ctx);
    const fresh = ctx.forwarded.filter((e) => e.fresh).map((e) => e.post.trackFrames);
    expect(fresh).toEqual([1, 2, 4, 8, 16, 24]);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(6);
    expect(ctx.forwarded.every((e) => e.modelId === 'test-embedder' && e.attributes.gender?.name === 'female')).toBe(true);
    expect(ctx.counts.get('embeddings_reused')).toBe(18);
  });

  it('embeds the posts of different tracks in one batch, and keeps input order', async () => {
    const { models, calls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes });
    const ctx = mockContext<FaceEmbedding>();
    const posts = ['a', 'b', 'c', 'd'].map((id) => facePost({ trackId: id }));
    await stage.process(posts, ctx);
    expect(calls).toEqual([4]);
    expect(ctx.forwarded.map((e) => e.post.trackId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('splits a batch where a track repeats, since its second post depends on the first vector', () => {
    const posts = [facePost({ trackId: 'a' }), facePost({ trackId: 'b' }), facePost({ trackId: 'a', trackFrames: 2 }), facePost({ trackId: 'c' })];
    expect(partsWithDistinctTracks(posts).map((p) => p.map((x) => x.trackId))).toEqual([['a', 'b'], ['a', 'c']]);
  });

  it('with reid_expiration_frames 1 every post gets a fresh vector', async () => {
    const { models } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig({ reid_expiration_frames: 1 }), attributes });
    const ctx = mockContext<FaceEmbedding>();
    for (let f = 1; f <= 5; f++) await stage.process([facePost({ trackFrames: f, postNo: f })], ctx);
    expect(ctx.forwarded.every((e) => e.fresh)).toBe(true);
  });
});
