// Configuration of the frame store: TypeBox schema, type derived.
import { Type, type Static } from '@sinclair/typebox';

export const FrameStoreConfig = Type.Object(
  {
    dir: Type.String({
      default: '',
      description:
        'directory where the ingest processes of a Kafka deployment (`facestream up` / `stage`) keep every sampled frame at full size (JPEG) as evidence for events; records refer to it by frameRef (relative to this directory), so Kafka carries only small frames. Empty = no frame store. Processes on several machines need it shared (NFS)',
    }),
    retention_hours: Type.Number({
      default: 24,
      exclusiveMinimum: 0,
      description:
        "full-frame age (FindFace EVENTS_MAX_FULLFRAME_MATCHED_AGE / _UNMATCHED_AGE, one age here: the store does not know which frames matched): frames are deleted by whole hour folders once the hour ended this long ago (stores/frames/sweeper.ts)",
    }),
    clips_retention_hours: Type.Number({ default: 168, minimum: 0, description: 'episode clips (clips/<camera>/<episode>.mp4) are deleted this long after they were written; 0 = kept for ever' }),
    sweep_interval_minutes: Type.Number({ default: 60, exclusiveMinimum: 0, description: 'how often each process that owns the frame store deletes what outlived its retention (and once at start)' }),
    jpeg_quality: Type.Integer({ default: 90, minimum: 1, maximum: 100, description: 'JPEG quality of the kept frames' }),
  },
  { additionalProperties: false },
);
export type FrameStoreConfig = Static<typeof FrameStoreConfig>;
