// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const AttributesConfig = Type.Object(
  {
    gender: Type.Boolean({ default: true, description: '94 % on the deepface photos but ~54 % on the 60–90 px faces of the sample videos (docs/BENCHMARKS.md)' }),
    age: Type.Boolean({ default: false, description: 'off by default: the bundled age model collapses to 30–45 years (docs/MODELS.md)' }),
    emotions: Type.Boolean({ default: false, description: 'the most expensive head (~30 ms a face)' }),
    eyes: Type.Boolean({ default: false }),
    liveness: Type.Boolean({ default: false, description: 'off by default: on real video faces under ~90 px the bundled MiniFASNet calls most real people fake, and it was never evaluated on spoofs (docs/MODELS.md)' }),
    headpose: Type.Boolean({ default: true }),
  },
  strict,
);
export type AttributesConfig = Static<typeof AttributesConfig>;

export const EmbedConfig = Type.Object(
  {
    batch_size: Type.Integer({ default: 8, minimum: 1, maximum: 64 }),
    reid_expiration_frames: Type.Integer({ default: 16, minimum: 1, description: 'adaptive re-embedding: a stable track is re-embedded after 1, 2, 4 … frames, at most this many' }),
    reid_stable_similarity: Type.Number({ default: 0.7, minimum: -1, maximum: 1, description: 'a fresh vector this similar to the last one counts as stable and doubles the interval' }),
    attributes_reextract_quality_margin: Type.Number({
      default: 0.5,
      minimum: -5,
      maximum: 5,
      description:
        "a track's gender, age and liveness come from its first post and are extracted again only from a post whose face quality is at least this much higher than the face they came from (0: at least as good; -5: every post); head pose, eyes and emotions are computed for every post",
    }),
    headpose_source: Type.Union([Type.Literal('landmarks'), Type.Literal('model')], {
      default: 'landmarks',
      description:
        "where a post's headpose attribute comes from: the estimate detect makes from the 68 landmarks (free; RMS 3-3.5 degrees from the model, docs/MODELS.md) or the HopeNet model run on every post (~7 ms CPU a face)",
    }),
  },
  strict,
);
export type EmbedConfig = Static<typeof EmbedConfig>;
