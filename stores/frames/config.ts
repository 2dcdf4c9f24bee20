// Configuration of the frame store: TypeBox schema, type derived.
import { Type, type Static } from '@sinclair/typebox';

export const FrameStoreConfig = Type.Object(
  {
    dir: Type.String({
      default: '',
      description:
        'directory where the ingest processes of a Kafka deployment (`facestream up` / `stage`) keep every sampled frame at full size (JPEG) as evidence for events; records refer to it by frameRef (relative to this directory), so Kafka carries only small frames. Empty = no frame store. Processes on several machines need it shared (NFS)',
    }),
    retention_hours: Type.Number({ default: 24, exclusiveMinimum: 0, description: 'frames older than this are deleted, by the hour' }),
    jpeg_quality: Type.Integer({ default: 90, minimum: 1, maximum: 100, description: 'JPEG quality of the kept frames' }),
  },
  { additionalProperties: false },
);
export type FrameStoreConfig = Static<typeof FrameStoreConfig>;
