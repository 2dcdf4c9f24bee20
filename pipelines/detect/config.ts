// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const DetectConfig = Type.Object(
  {
    min_score: Type.Number({ minimum: 0, maximum: 1, description: "detector confidence below which a box is dropped; default: the detector's `thresholds.score` in the model manifest" }),
    min_face_size: Type.Integer({ default: 0, minimum: 0, description: 'faces smaller than this (px, box height) are ignored; 0 = no limit' }),
    tiling: Type.Boolean({ default: false, description: 'also run the detector on overlapping tiles, to find faces under ~1/30 of frame width' }),
    tile_grid: Type.Integer({ default: 2, minimum: 2, maximum: 4, description: 'tiles per side when tiling' }),
  },
  strict,
);
export type DetectConfig = Static<typeof DetectConfig>;
