// A camera's job in the identity store → the `cameras` topic's record (schemas/avro/CameraJob.avsc). The key and
// cameraId are the camera's id as a decimal string, as events name cameras. Each settings value is the JSON text of
// the camera's stream_settings value under that key (pipelines/cameras/settings.ts reads it back).
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import type { CameraJobState } from '../../../stores/postgres/repositories/camera-outbox.ts';
import type { KeyedChange } from '../../../enrolment/watchlist-sync/publisher.ts';
import { jobSettingsOf } from '../settings.ts';

/** The stream_settings key of the detection rate, carried in the job's own `fps` field as well. */
export const FPS_SETTING = 'fps';

export function cameraJobRecord(camera: CameraJobState): CameraJob {
  const fps = camera.stream_settings[FPS_SETTING];
  return {
    cameraId: String(camera.id),
    name: camera.name,
    url: camera.url,
    enabled: camera.enabled,
    version: Number(camera.version),
    fps: typeof fps === 'number' && fps > 0 ? fps : null,
    group: String(camera.camera_group_id),
    confidenceThreshold: camera.confidence_threshold,
    settings: jobSettingsOf(camera.stream_settings),
    restarts: camera.restarts,
  };
}

/** The changes for `cameraIds` given the jobs of those that still exist: an upsert each, a tombstone for the rest. */
export function cameraJobChanges(cameraIds: readonly number[], jobs: readonly CameraJobState[]): KeyedChange<CameraJob>[] {
  const held = new Map(jobs.map((j) => [j.id, j]));
  return [...new Set(cameraIds)].map((id) => {
    const job = held.get(id);
    return { key: String(id), value: job ? cameraJobRecord(job) : null };
  });
}
