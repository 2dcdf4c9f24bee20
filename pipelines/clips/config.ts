// Configuration of clip recording: TypeBox schema, type derived. DeGirum's FaceTracker records clips around
// alerts; FindFace has no clips, so the names are ours (PRODUCT-REFERENCE.md §3, "Clip recording").
import { Type, type Static } from '@sinclair/typebox';

export const ClipsConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'record an MP4 of every camera of an episode, from pre_roll before it opened to post_roll after it closed (remuxed, not re-encoded), under <frame_store.dir>/clips/<camera>/<episode id>.mp4',
    }),
    pre_roll: Type.Number({ default: 5, minimum: 0, description: 's of video kept before the episode opened (starts at the keyframe at or before)' }),
    post_roll: Type.Number({ default: 5, minimum: 0, description: 's of video kept after the episode’s last event' }),
    max_duration: Type.Number({ default: 600, exclusiveMinimum: 0, description: 's: a clip ends at this length even if its episode goes on' }),
    pipeline_lag: Type.Number({
      default: 10,
      minimum: 0,
      description:
        's: how far decoding may run ahead of the episode that asks for a clip (the detection queues between them, in process or over Kafka); the packet buffer keeps pre_roll + this; a Kafka camera process whose file ended waits this long without an episode change before it ends',
    }),
    buffer_max_bytes: Type.Integer({
      default: 64 * 1024 * 1024,
      minimum: 1024 * 1024,
      description: 'bytes of packets kept per camera for pre-roll, and per clip waiting for its episode to go on or close; the oldest GOPs go first',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ClipsConfig = Static<typeof ClipsConfig>;
