// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const MatchConfig = Type.Object(
  {
    confidence_threshold: Type.Number({
      minimum: -1,
      maximum: 1,
      description: "FindFace CONFIDENCE_THRESHOLD: cosine similarity at or above which a candidate is a match; default: the embedder's `thresholds.match` in the model manifest (0.39 for the bundled model, chosen on master.csv, docs/BENCHMARKS.md)",
    }),
    max_candidates: Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'top-k candidates kept on each event' }),
  },
  strict,
);
export type MatchConfig = Static<typeof MatchConfig>;

export const EnrolConfig = Type.Object(
  {
    mf_selector: Type.Union([Type.Literal('reject'), Type.Literal('biggest')], { default: 'reject', description: 'a watch-list photo with several faces: reject it, or use the biggest face' }),
    minimum_dossier_quality: Type.Number({ default: -2, minimum: -20, maximum: 1, description: 'watch-list photos whose best face is worse than this are rejected' }),
  },
  strict,
);
export type EnrolConfig = Static<typeof EnrolConfig>;
