// What stages read a camera's settings from: camera id → effective settings (settings.ts), the global ones for a
// camera it has not heard of. Stages look a camera up per record, so a change applies from that camera's next
// record, in every stage of the process, without restarting anything. Filled by whoever knows the cameras: serve
// from PostgreSQL, stage processes from the compacted `cameras` topic (settings-follower.ts), a worker's child from
// the JSON its parent hands it. The match stage also reads each camera's group and threshold here (matching()).
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import { UNKNOWN_CAMERA, type CameraMatching } from '../match/decide.ts';
import { resolveCameraSettings, resolveJobSettings, type CameraSettings, type GlobalSettingsConfig } from './settings.ts';

export interface CameraSettingsView {
  /** The camera's effective settings; the global configuration's for a camera the view does not know. */
  get(camera: string): CameraSettings;
  /** The camera's group and threshold (its own, else its group's) for the match rule; UNKNOWN_CAMERA until told. */
  matching(camera: string): CameraMatching;
  /**
   * Sets a camera's own stream_settings (and group); a bad value throws CameraSettingsError and changes nothing. The
   * threshold is only known from a job (setJob): a threshold set before is kept.
   */
  set(camera: string, streamSettings: unknown, group?: string | null): CameraSettings;
  /** Sets a camera from its `cameras` topic record (settings, group and threshold); throws like set(). */
  setJob(job: CameraJob): CameraSettings;
  /** Forgets a camera (deleted): it falls back to the global settings. */
  delete(camera: string): void;
}

export function createCameraSettingsView(global: GlobalSettingsConfig): CameraSettingsView {
  const defaults = resolveCameraSettings({}, global);
  const cameras = new Map<string, CameraSettings>();
  const matching = new Map<string, CameraMatching>();
  const put = (camera: string, settings: CameraSettings, match: CameraMatching) => (cameras.set(camera, settings), matching.set(camera, match), settings);
  return {
    get: (camera) => cameras.get(camera) ?? defaults,
    matching: (camera) => matching.get(camera) ?? UNKNOWN_CAMERA,
    set: (camera, streamSettings, group = null) =>
      put(camera, resolveCameraSettings(streamSettings, global, group, `camera ${camera}: stream_settings`), { group, threshold: matching.get(camera)?.threshold ?? null }),
    setJob: (job) => put(job.cameraId, resolveJobSettings(job, global), { group: job.group, threshold: job.confidenceThreshold }),
    delete: (camera) => void (cameras.delete(camera), matching.delete(camera)),
  };
}
