// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const IngestConfig = Type.Object(
  {
    fps: Type.Number({ default: 0, minimum: 0, description: 'frames per second handed to detection; 0 = every decoded frame', examples: [5, 12.5] }),
    imotion_threshold: Type.Number({
      default: 0,
      minimum: 0,
      maximum: 1,
      description:
        'minimum motion intensity for a frame to go to detection (mean absolute grey-level change of a small thumbnail against the last frame handed on, 0…1); 0 = motion detector off, 0.002 FindFace’s milestone, 0.05 too high to see motion',
    }),
    max_width: Type.Integer({ default: 1280, minimum: 64, description: 'frames wider than this are scaled down (aspect kept) before detection' }),
    use_stream_timestamp: Type.Boolean({ default: false, description: 'live streams: take ts from the stream instead of the wall clock at receipt (files always use stream time)' }),
    start_stream_timestamp: Type.Number({ default: 0, description: 'files: epoch seconds of the first frame (0 = time the job started)' }),
    realtime: Type.Boolean({ default: false, description: 'files: hand frames on at the pace of their timestamps, as a live camera would (replaying a recording as a camera); false = as fast as they decode' }),
    rtsp_transport: Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { default: 'tcp' }),
    camera_idle_timeout: Type.Number({
      default: 10,
      exclusiveMinimum: 0,
      description:
        's without a frame after which the camera is idle and its tracks end: live sources by the wall clock while waiting on the camera (and at once when the source fails or stops), files by a gap in their stream time',
    }),
    timeout_s: Type.Number({ default: 6, minimum: 1, description: 'a source that delivers nothing for this long is reported as stalled' }),
  },
  strict,
);
export type IngestConfig = Static<typeof IngestConfig>;
