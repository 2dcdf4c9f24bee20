// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';
import { REGION_PATTERN } from './box.ts';

const strict = { additionalProperties: false } as const;

export const TrackConfig = Type.Object(
  {
    miss_interval: Type.Number({ default: 1.0, minimum: 0, description: 'max face miss duration, s; a track unseen longer ends' }),
    overlap_threshold: Type.Number({ default: 0.25, minimum: 0, maximum: 1, description: 'min IoU for a detection to continue a track' }),
    credence_count: Type.Integer({ default: 2, minimum: 1, description: 'frames a face must be seen before its track is confirmed and may post' }),
    appearance_weight: Type.Number({ default: 0.3, minimum: 0, maximum: 1, description: 'weight of appearance similarity against IoU when associating' }),
    min_appearance: Type.Number({ default: 0.5, minimum: -1, maximum: 1, description: 'associations whose appearance similarity is below this are refused' }),
    assignment: Type.Union([Type.Literal('optimal'), Type.Literal('greedy')], { default: 'optimal', description: 'how detections are assigned to tracks: optimal (Hungarian) or greedy by cost' }),
  },
  strict,
);
export type TrackConfig = Static<typeof TrackConfig>;

export const BestShotConfig = Type.Object(
  {
    overall_only: Type.Boolean({ default: false, description: 'offline mode: one best post per track when it ends (--mode overall)' }),
    realtime_post_interval: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'realtime mode: best snapshot window, s' }),
    realtime_post_every_interval: Type.Boolean({ default: true, description: 'realtime mode: post the best of every window (false: post only when quality improves)' }),
    realtime_post_first_immediately: Type.Boolean({ default: false, description: 'realtime mode: post the first confirmed snapshot at once' }),
    filter_min_quality: Type.Number({ default: -2, description: 'post only faces at least this good (0 best … -5 useless)' }),
    filter_min_face_size: Type.Integer({ default: 1, minimum: 0, description: 'min face size (px) to post' }),
    filter_max_face_size: Type.Integer({ default: 8192, minimum: 0, description: 'max face size (px) to post' }),
    roi: Type.String({ default: '', pattern: REGION_PATTERN, description: 'region of interest WxH+X+Y: post only faces whose centre is inside' }),
  },
  strict,
);
export type BestShotConfig = Static<typeof BestShotConfig>;
