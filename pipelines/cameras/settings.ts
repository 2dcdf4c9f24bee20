// A camera's processing settings: FindFace's `stream_settings` (PRODUCT-REFERENCE.md §2.2) plus DeGirum's alert mode.
// A camera stores only the keys it overrides (PostgreSQL cameras.stream_settings, the `cameras` topic's
// CameraJob.settings); everything else comes from the global stage configs, whose defaults are FindFace's. This file
// is the one schema of those keys and the one place they are resolved into what each stage applies.
import { Type, type Static } from '@sinclair/typebox';
import type { FacestreamConfig } from '../../config/schema.ts';
import { ValidationError, validateOrThrow } from '../../config/validate.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import type { IngestConfig } from '../ingest/config.ts';
import type { BestShotConfig } from '../track/config.ts';
import { alertModeSchema, type AlertMode } from '../match/alert.ts';
import { parseRegion, REGION_PATTERN, type Region } from '../track/box.ts';

const region = (what: string) =>
  Type.String({ pattern: REGION_PATTERN, description: `${what}, as WxH+X+Y in frame pixels (e.g. 640x360+0+0); '' = the whole frame`, examples: ['640x360+320+180'] });

// No `default` keywords: the API fills defaults into what it stores (Ajv useDefaults), and a camera must keep only
// what it overrides so a changed global default still reaches it. Each description names the default instead.
export const StreamSettings = Type.Object(
  {
    fps: Type.Optional(Type.Number({ minimum: 0, description: 'frames per second handed to detection; 0 = every decoded frame (default: ingest.fps, 0)' })),
    imotion_threshold: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'minimum motion intensity (mean absolute grey-level change of a small thumbnail, 0…1) for a frame to go to detection; 0 = motion detector off, 0.002 FindFace’s milestone, 0.05 too high to see motion (default: ingest.imotion_threshold, 0)',
      }),
    ),
    use_stream_timestamp: Type.Optional(Type.Boolean({ description: 'live streams: date frames by the stream clock instead of arrival (default: ingest.use_stream_timestamp, false)' })),
    start_stream_timestamp: Type.Optional(Type.Number({ minimum: 0, description: 'files: epoch seconds of the first frame, 0 = when the job started (default: ingest.start_stream_timestamp, 0)' })),
    rot: Type.Optional(region('region of tracking: faces are detected and tracked only inside it (default: \'\'; a frame-sized region has no global setting)')),
    roi: Type.Optional(region('region of interest: only faces whose box centre is inside are posted (default: best_shot.roi, \'\')')),
    filter_min_face_size: Type.Optional(Type.Integer({ minimum: 0, description: 'smaller faces (box height, px) are not posted; 0 = off (default: best_shot.filter_min_face_size, 1)' })),
    filter_max_face_size: Type.Optional(Type.Integer({ minimum: 0, description: 'larger faces (box height, px) are not posted; 0 = off (default: best_shot.filter_max_face_size, 8192)' })),
    filter_min_quality: Type.Optional(Type.Number({ maximum: 0, description: 'only faces at least this good are posted: 0 best, -1 good, -2 satisfactory, -5 useless (default: best_shot.filter_min_quality, -2)' })),
    overall_only: Type.Optional(Type.Boolean({ description: 'offline mode: one best snapshot per track, posted when it ends; false = realtime mode (default: best_shot.overall_only, false)' })),
    realtime_post_interval: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'realtime mode: the best snapshot window, s (default: best_shot.realtime_post_interval, 1)' })),
    realtime_post_every_interval: Type.Optional(
      Type.Boolean({ description: 'realtime mode: post the best of every window; false = only when quality improves (default: best_shot.realtime_post_every_interval, true)' }),
    ),
    realtime_post_first_immediately: Type.Optional(Type.Boolean({ description: 'realtime mode: post the first confirmed snapshot at once (default: best_shot.realtime_post_first_immediately, false)' })),
    jpeg_quality: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'JPEG quality (%) of the full frames kept as event evidence (default: frame_store.jpeg_quality, 90)' })),
    alert_mode: Type.Optional(alertModeSchema({ description: 'which events of this camera are alerts (DeGirum AlertMode): none, on_unknowns, on_knowns, on_all (default: match.alert_mode_by_camera_group of its group, else match.alert_mode, none)' })),
  },
  { additionalProperties: false, description: 'per-camera processing settings (FindFace stream_settings); keys left out take the global configuration' },
);
export type StreamSettings = Static<typeof StreamSettings>;

/** The global sections a camera's settings fall back on. */
export type GlobalSettingsConfig = Pick<FacestreamConfig, 'ingest' | 'best_shot' | 'match' | 'frame_store'>;

/** What a camera runs with: the global configs with its overrides, cut per stage. */
export interface CameraSettings {
  /** every key of StreamSettings, resolved (what the API can show as the camera's effective parameters) */
  readonly stream: Readonly<Required<StreamSettings>>;
  /** ingest's config for this camera: fps, imotion_threshold, stream timestamps */
  readonly ingest: IngestConfig;
  /** region of tracking, parsed; null = the whole frame */
  readonly rot: Region | null;
  /** the track stage's posting rules for this camera: mode, intervals, size/quality filters, ROI */
  readonly bestShot: BestShotConfig;
  readonly alertMode: AlertMode;
  /** JPEG quality of the full frames this camera's ingest keeps */
  readonly jpegQuality: number;
}

/** Thrown for settings that do not validate; the message names the camera, the key and the rule. */
export class CameraSettingsError extends ValidationError {}

/** Checks a stream_settings object against the schema (and ROI/ROT syntax), or throws CameraSettingsError. */
export function validateStreamSettings(value: unknown, where = 'stream_settings'): StreamSettings {
  try {
    return validateOrThrow(StreamSettings, value, where);
  } catch (err) {
    if (err instanceof ValidationError) throw new CameraSettingsError(err.where, err.problems);
    throw err;
  }
}

/**
 * A camera's effective settings: `streamSettings` (validated) on top of the global configs. The alert mode is the
 * camera's own, else its group's (match.alert_mode_by_camera_group), else match.alert_mode.
 */
export function resolveCameraSettings(streamSettings: unknown, global: GlobalSettingsConfig, group: string | null = null, where = 'stream_settings'): CameraSettings {
  const own = validateStreamSettings(streamSettings ?? {}, where);
  const { ingest, best_shot: bs } = global;
  const stream: Required<StreamSettings> = {
    fps: own.fps ?? ingest.fps,
    imotion_threshold: own.imotion_threshold ?? ingest.imotion_threshold,
    use_stream_timestamp: own.use_stream_timestamp ?? ingest.use_stream_timestamp,
    start_stream_timestamp: own.start_stream_timestamp ?? ingest.start_stream_timestamp,
    rot: own.rot ?? '',
    roi: own.roi ?? bs.roi,
    filter_min_face_size: own.filter_min_face_size ?? bs.filter_min_face_size,
    filter_max_face_size: own.filter_max_face_size ?? bs.filter_max_face_size,
    filter_min_quality: own.filter_min_quality ?? bs.filter_min_quality,
    overall_only: own.overall_only ?? bs.overall_only,
    realtime_post_interval: own.realtime_post_interval ?? bs.realtime_post_interval,
    realtime_post_every_interval: own.realtime_post_every_interval ?? bs.realtime_post_every_interval,
    realtime_post_first_immediately: own.realtime_post_first_immediately ?? bs.realtime_post_first_immediately,
    jpeg_quality: own.jpeg_quality ?? global.frame_store.jpeg_quality,
    alert_mode: own.alert_mode ?? (group !== null ? global.match.alert_mode_by_camera_group[group] : undefined) ?? global.match.alert_mode,
  };
  return {
    stream,
    ingest: {
      ...ingest,
      fps: stream.fps,
      imotion_threshold: stream.imotion_threshold,
      use_stream_timestamp: stream.use_stream_timestamp,
      start_stream_timestamp: stream.start_stream_timestamp,
    },
    rot: parseRegion(stream.rot),
    bestShot: {
      overall_only: stream.overall_only,
      realtime_post_interval: stream.realtime_post_interval,
      realtime_post_every_interval: stream.realtime_post_every_interval,
      realtime_post_first_immediately: stream.realtime_post_first_immediately,
      filter_min_quality: stream.filter_min_quality,
      filter_min_face_size: stream.filter_min_face_size,
      filter_max_face_size: stream.filter_max_face_size,
      roi: stream.roi,
    },
    alertMode: stream.alert_mode,
    jpegQuality: stream.jpeg_quality,
  };
}

/**
 * The stream_settings a CameraJob carries: its `settings` map holds the JSON text of each value (`"640x360+0+0"`
 * with its quotes, `5`, `true`), and its `fps` field is the detection rate unless the settings name one.
 */
export function streamSettingsOfJob(job: Pick<CameraJob, 'cameraId' | 'fps' | 'settings'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(job.settings)) {
    try {
      out[key] = JSON.parse(text);
    } catch {
      throw new CameraSettingsError(`camera ${job.cameraId}: settings`, [`/${key}: ${JSON.stringify(text)} is not JSON text`]);
    }
  }
  if (job.fps !== null && out['fps'] === undefined) out['fps'] = job.fps;
  return out;
}

/** The CameraJob.settings map of a stream_settings object (each value as JSON text): what publishers write. */
export function jobSettingsOf(streamSettings: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(streamSettings).map(([k, v]) => [k, JSON.stringify(v)]));
}

/** A CameraJob's effective settings, or CameraSettingsError naming the camera. */
export function resolveJobSettings(job: Pick<CameraJob, 'cameraId' | 'fps' | 'settings' | 'group'>, global: GlobalSettingsConfig): CameraSettings {
  return resolveCameraSettings(streamSettingsOfJob(job), global, job.group, `camera ${job.cameraId}: stream_settings`);
}
