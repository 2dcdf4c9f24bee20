// Cameras (FindFace /cameras/).
import { Type, type Static } from '@sinclair/typebox';
import { CAMERA_STATES, HEALTH_STATUSES } from '../../pipelines/cameras/health.ts';
import { ConfidenceThreshold, DateTime, Nullable, PageQuery, listOf } from './common.ts';
import { StreamSettings } from '../../pipelines/cameras/settings.ts';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  camera_group_id: Type.Integer({ description: 'the camera group' }),
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'rtsp://, rtsps://, http(s):// or file:// URL; loopback, link-local and private hosts are refused unless allowed (api.allowed_networks)',
  }),
  comment: Type.String({ maxLength: 2048 }),
  active: Type.Boolean(),
  confidence_threshold: ConfidenceThreshold,
  stream_settings: StreamSettings,
};

const counter = (description: string) => Type.Integer({ minimum: 0, description });

/** FindFace's per-camera counters (since the camera's job began in the serving process). */
const counters = {
  processing_fps: Type.Number({ minimum: 0, description: 'frames a second through detection over the last 5 s' }),
  frames_processed: counter('frames that went through detection'),
  frames_dropped: counter('frames lost before detection and tracking finished with them (a stage failed on them)'),
  frames_imotion_skipped: counter('frames motion gating kept from detection (stream_settings.imotion_threshold)'),
  faces_posted: counter('face shots posted by the tracker'),
  faces_failed: counter('posted faces a later stage failed on'),
  decoding_soft_errors: counter('corrupt packets and frames the decoder skipped'),
  job_starts: counter('times the camera\'s source was started (first start and every reconnection or restart)'),
};

export const CameraHealth = Type.Object(
  {
    status: Type.Union(
      HEALTH_STATUSES.map((s) => Type.Literal(s)),
      { description: 'FindFace colours: green running without errors; yellow running for less than 30 s or posting errors in the last 30 s; red cannot be processed (see last_error); grey disabled, or a file read to its end' },
    ),
    state: Type.Union(
      CAMERA_STATES.map((s) => Type.Literal(s)),
      { description: 'starting (opened, no frame yet), running, retrying (the source failed; reconnecting with backoff), finished (a file read to its end), disabled' },
    ),
    since: DateTime('the status has been what it is since'),
    ...counters,
    last_error: Nullable(Type.String({ description: 'why the camera last failed: the source error, or the stage and reason of a failed record' })),
    last_error_at: Nullable(DateTime()),
  },
  { description: 'live health of the camera in the process that runs it; absent when this API process runs no cameras' },
);

export const Camera = Type.Object(
  { id: Type.Integer(), ...fields, created_date: DateTime(), modified_date: DateTime(),
    screenshot: Type.Optional(Type.String({ description: "URL of the camera's latest kept frame (JPEG; 404 when none is kept)" })),
    health: Type.Optional(CameraHealth) },
  { $id: 'Camera' },
);

export const CameraCreate = Type.Object(
  {
    name: fields.name,
    camera_group_id: Type.Optional(Type.Integer({ description: 'the camera group; default: the Default group' })),
    url: fields.url,
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    confidence_threshold: Type.Optional(fields.confidence_threshold),
    stream_settings: Type.Optional(fields.stream_settings),
  },
  { additionalProperties: false },
);
export type CameraCreate = Static<typeof CameraCreate>;

export const CameraPatch = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type CameraPatch = Static<typeof CameraPatch>;

export const CameraQuery = Type.Object({
  ...PageQuery,
  camera_group: Type.Optional(Type.Integer({ description: 'cameras of this group' })),
  active: Type.Optional(Type.Boolean()),
});
export type CameraQuery = Static<typeof CameraQuery>;

export const CameraList = listOf(Type.Ref(Camera), 'cameras by id');

export const CameraStatisticsQuery = Type.Object({
  from: Type.Optional(DateTime('samples at or after (default: 1 hour before `to`)')),
  to: Type.Optional(DateTime('samples before (default: now)')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000, description: 'the newest samples up to this many' })),
});
export type CameraStatisticsQuery = Static<typeof CameraStatisticsQuery>;

export const CameraStatistics = Type.Object({
  results: Type.Array(
    Type.Object({
      ts: DateTime('when the sample was taken (one per camera and second: the latest wins)'),
      status: CameraHealth.properties.status,
      state: CameraHealth.properties.state,
      ...counters,
      last_error: Nullable(Type.String()),
    }),
    { description: 'the camera\'s status samples (every 5 s and on each change of status), oldest first' },
  ),
});
