// Face events (FindFace /events/): FindFace's filter names, cursor pagination, FindFace's field names.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable } from './common.ts';
import { Ids, MatchQuery, PlaceQuery, TimePageQuery, TimeRangeQuery } from './filters.ts';
const Score = (description: string) => Type.Optional(Type.Number({ description }));

/** The filters of an event list (also what acknowledge-all selects), without ordering and pages. */
export const EventFilterQuery = Type.Object({
  ...TimeRangeQuery,
  id: Ids('event ids'),
  ...PlaceQuery,
  ...MatchQuery,
  episode: Ids('episode ids'),
  acknowledged: Type.Optional(Type.Boolean()),
  alert: Type.Optional(Type.Boolean({ description: "true: alerts only (the camera's alert mode: none, on_unknowns, on_knowns, on_all); false: the rest" })),
  duplicate: Type.Optional(
    Type.Boolean({ description: 'camera group deduplication (docs/DEDUP.md): true = only duplicates, false = only kept events; absent = kept events only, as FindFace keeps no duplicates (both when `id` is given)' }),
  ),
  f_gender_class: Ids('gender classes: male, female'),
  f_emotions_class: Ids('emotion classes: angry, disgust, fear, happy, sad, surprise, neutral'),
  f_eyes_class: Ids('eye state classes: open, closed'),
  f_liveness_class: Ids('liveness classes: real, fake'),
  f_age_gte: Score('age at least'),
  f_age_lte: Score('age at most'),
  quality_gte: Score('quality at least (0 best … -5)'),
  quality_lte: Score('quality at most'),
  confidence_gte: Score('match confidence at least'),
  confidence_lte: Score('match confidence at most'),
});
export type EventFilterQuery = Static<typeof EventFilterQuery>;

export const EventQuery = Type.Object({ ...EventFilterQuery.properties, ...TimePageQuery });
export type EventQuery = Static<typeof EventQuery>;

const ClassFeature = Nullable(Type.Object({ name: Type.String(), confidence: Type.Number() }));

/** Face attributes, null where not estimated (also what /detect answers). */
export const Features = Type.Object({
  gender: ClassFeature,
  age: Nullable(Type.Number()),
  emotions: ClassFeature,
  eyes: ClassFeature,
  liveness: ClassFeature,
  headpose: Nullable(Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() })),
});

export const FaceEvent = Type.Object(
  {
    id: Type.String({ description: '64-bit id as a string' }),
    created_date: DateTime(),
    camera: Type.String(),
    camera_group: Nullable(Type.String()),
    bs_type: Type.Union([Type.Literal('realtime'), Type.Literal('overall')]),
    track: Type.Object({ id: Type.String(), post_no: Type.Integer() }),
    frame: Type.Object({ ref: Nullable(Type.String()), width: Type.Integer(), height: Type.Integer(), seq: Type.Number() }),
    thumbnail: Nullable(Type.String({ description: 'URL of the face crop (JPEG, cut from the kept frame); null when the frame was not kept' })),
    fullframe: Nullable(Type.String({ description: 'URL of the full frame (JPEG); null when not kept; 404 once frame_store.retention_hours removed it' })),
    frame_coords_left: Type.Number(),
    frame_coords_top: Type.Number(),
    frame_coords_right: Type.Number(),
    frame_coords_bottom: Type.Number(),
    quality: Type.Number(),
    detection_score: Type.Number(),
    features: Features,
    matched: Type.Boolean(),
    matched_dossier: Nullable(Type.String()),
    matched_lists: Type.Array(Type.String(), { description: '["-1"] when unmatched' }),
    confidence: Type.Number(),
    alert: Type.Boolean({ description: "an alert under its camera's alert mode when it was matched (docs/CAMERAS.md)" }),
    candidates: Type.Array(Type.Object({ dossier: Type.String(), dossier_face: Type.String(), watch_list: Type.String(), confidence: Type.Number() })),
    model_id: Type.String(),
    episode: Nullable(Type.String()),
    duplicate_of: Nullable(Type.String({ description: 'the kept event this one repeats (camera group deduplication); null when kept' })),
    device: Nullable(
      Type.Object(
        {
          vendor: Type.String({ description: 'protocol of the push, e.g. viewtron' }),
          event_type: Type.String({ description: "the device's event type, e.g. VFD, VFD_MATCH, videoFaceDetect" }),
          device_name: Nullable(Type.String()),
          target_id: Nullable(Type.String({ description: "the device's own track id" })),
          age: Nullable(Type.String({ description: 'age category as the device sent it, e.g. youth, middleAged' })),
          sex: Nullable(Type.String({ description: 'as sent: male, female, unknown' })),
          glasses: Nullable(Type.String({ description: 'as sent: yes, no, unknown' })),
          mask: Nullable(Type.String({ description: 'as sent: yes, no, unknown' })),
        },
        { description: "what the edge camera that pushed the face said about it (docs/VIEWTRON-RECEIVER.md), beside facestream's own `features`; null for faces found in video" },
      ),
    ),
    acknowledged: Type.Boolean(),
    acknowledged_by: Nullable(Type.String()),
    acknowledged_date: Nullable(DateTime()),
  },
  { $id: 'FaceEvent' },
);

export const EventList = Type.Object({
  results: Type.Array(Type.Ref(FaceEvent)),
  next_page: Type.Union([Type.String(), Type.Null()], { description: 'pass as `page` for the next page; null on the last one' }),
});

export const EventIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type EventIdParams = Static<typeof EventIdParams>;
