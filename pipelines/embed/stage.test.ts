import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import type { FaceInImage, FaceModels } from '../../models/face-models.types.ts';
import type { FaceEmbedding } from '../../schemas/records.ts';
import { basis, facePost, mockContext } from '../runtime/testing/index.ts';
import { AttributesConfig, EmbedConfig } from './config.ts';
import { createEmbedStage, partsWithDistinctTracks } from './stage.ts';

/**
 * Counts model calls. Every face's gender confidence is its face quality, and the model's head pose a yaw of
 * 45°, so which face attributes came from, and from which model, is visible.
 */
function countingModels() {
  const calls: number[] = [];
  const attributeCalls: Array<{ faces: number; which: string[] }> = [];
  const models: Pick<FaceModels, 'embed' | 'attributes' | 'embedderId'> = {
    embedderId: 'test-embedder',
    async embed(faces: readonly FaceInImage[]) {
      calls.push(faces.length);
      return faces.map(() => basis(0));
    },
    async attributes(faces: readonly FaceInImage[], which: AttributesConfig) {
      attributeCalls.push({ faces: faces.length, which: Object.keys(which).filter((k) => which[k as keyof AttributesConfig]) });
      return faces.map(({ face }) => ({
        ...(which.gender ? { gender: { name: 'female' as const, confidence: face.quality } } : {}),
        ...(which.headpose ? { headpose: { yaw: 45, pitch: 0, roll: 0 } } : {}),
      }));
    },
  };
  return { models, calls, attributeCalls };
}

const embedConfig = (over: Record<string, unknown> = {}) => validateOrThrow(EmbedConfig, { batch_size: 4, reid_expiration_frames: 8, ...over }, 'embed');
const attributes = validateOrThrow(AttributesConfig, {}, 'attributes');
const postAt = (f: number, quality: number, trackId = 'a') => facePost({ trackId, trackFrames: f, postNo: f, t: f / 10, quality });

describe('embed stage', () => {
  it('re-embeds a stable track only at frames 1, 2, 4, 8 … and reuses the vector in between', async () => {
    const { models, calls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes });
    const ctx = mockContext<FaceEmbedding>();
    for (let f = 1; f <= 24; f++) await stage.process([facePost({ trackFrames: f, postNo: f, t: f / 10 })], ctx);
    const fresh = ctx.forwarded.filter((e) => e.fresh).map((e) => e.post.trackFrames);
    expect(fresh).toEqual([1, 2, 4, 8, 16, 24]);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(6);
    expect(ctx.forwarded.every((e) => e.modelId === 'test-embedder' && e.attributes.gender?.name === 'female' && e.attributes.gender.confidence === -0.5)).toBe(true);
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

  it("extracts a track's gender once and reuses it, until a post's face is better by the margin", async () => {
    const { models, attributeCalls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes });
    const ctx = mockContext<FaceEmbedding>();
    // default margin 0.5: -1.2 first; -1.0 and -0.8 are better by less; -0.6 by 0.6; -0.3 only by 0.3 over -0.6
    for (const [f, q] of [[1, -1.2], [2, -1.0], [3, -2.5], [4, -0.8], [5, -0.6], [6, -0.3]] as const) await stage.process([postAt(f, q)], ctx);
    expect(ctx.forwarded.map((e) => e.attributes.gender?.confidence)).toEqual([-1.2, -1.2, -1.2, -1.2, -0.6, -0.6]);
    expect(attributeCalls).toEqual([{ faces: 1, which: ['gender'] }, { faces: 1, which: ['gender'] }]);
    expect(ctx.counts.get('attributes_extracted')).toBe(2);
    expect(ctx.counts.get('attributes_reused')).toBe(4);
  });

  it("keeps tracks apart, and an overall post (a track's last) forgets its attributes", async () => {
    const { models, attributeCalls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes });
    const ctx = mockContext<FaceEmbedding>();
    await stage.process([postAt(1, -1, 'a'), postAt(1, -2, 'b')], ctx);
    await stage.process([postAt(2, -1, 'a'), postAt(2, -2, 'b')], ctx);
    expect(ctx.forwarded.map((e) => `${e.post.trackId}:${e.attributes.gender?.confidence}`)).toEqual(['a:-1', 'b:-2', 'a:-1', 'b:-2']);
    expect(attributeCalls.map((c) => c.faces)).toEqual([2]);
    await stage.process([{ ...postAt(3, -1.5, 'a'), postType: 'overall' }], ctx);
    await stage.process([postAt(4, -1.5, 'a')], ctx);
    expect(ctx.forwarded.slice(4).map((e) => e.attributes.gender?.confidence)).toEqual([-1, -1.5]);
  });

  it('with the margin at -5 every post runs the heads, as before', async () => {
    const { models, attributeCalls } = countingModels();
    const stage = createEmbedStage({ models, embed: embedConfig({ attributes_reextract_quality_margin: -5 }), attributes });
    const ctx = mockContext<FaceEmbedding>();
    for (const [f, q] of [[1, -1], [2, -3], [3, -2]] as const) await stage.process([postAt(f, q)], ctx);
    expect(ctx.forwarded.map((e) => e.attributes.gender?.confidence)).toEqual([-1, -3, -2]);
    expect(attributeCalls).toHaveLength(3);
  });

  it("head pose is every post's own: the detection's landmark estimate by default, the model's with headpose_source model", async () => {
    const turned = (f: number) => {
      const p = postAt(f, -1);
      return { ...p, face: { ...p.face, pose: { yaw: 10 * f, pitch: -f, roll: f } } };
    };
    const byLandmarks = countingModels();
    const ctx = mockContext<FaceEmbedding>();
    const stage = createEmbedStage({ models: byLandmarks.models, embed: embedConfig(), attributes });
    for (const f of [1, 2, 3]) await stage.process([turned(f)], ctx);
    expect(ctx.forwarded.map((e) => e.attributes.headpose)).toEqual([1, 2, 3].map((f) => ({ yaw: 10 * f, pitch: -f, roll: f })));
    expect(byLandmarks.attributeCalls.flatMap((c) => c.which)).toEqual(['gender']);

    const byModel = countingModels();
    const ctx2 = mockContext<FaceEmbedding>();
    const stage2 = createEmbedStage({ models: byModel.models, embed: embedConfig({ headpose_source: 'model' }), attributes });
    for (const f of [1, 2, 3]) await stage2.process([turned(f)], ctx2);
    expect(ctx2.forwarded.map((e) => e.attributes.headpose?.yaw)).toEqual([45, 45, 45]);
    expect(byModel.attributeCalls.map((c) => c.which)).toEqual([['gender'], ['headpose'], ['headpose'], ['headpose']]);
    expect(ctx2.forwarded.every((e) => e.attributes.gender?.confidence === -1)).toBe(true);
  });

  it('with no head on, no attribute call is made', async () => {
    const { models, attributeCalls } = countingModels();
    const off = validateOrThrow(AttributesConfig, { gender: false, headpose: false }, 'attributes');
    const stage = createEmbedStage({ models, embed: embedConfig(), attributes: off });
    const ctx = mockContext<FaceEmbedding>();
    await stage.process([postAt(1, -1), postAt(1, -1, 'b')], ctx);
    expect(attributeCalls).toEqual([]);
    expect(ctx.forwarded.map((e) => e.attributes)).toEqual([{}, {}]);
  });
});
