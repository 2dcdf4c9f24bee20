// The outbox of camera jobs (migration 003): the cameras whose job changed, and that job's state — what the relay
// (pipelines/cameras/publish/) publishes on the `cameras` topic.
import type { Queryable } from '../db.ts';
import type { Page } from '../rows.ts';
import { pageParams } from '../sql.ts';
import { outboxTable } from './outbox-table.ts';

/** The outbox's rows: the cameras whose job may have changed (NOTIFY camera_outbox); not the dossier relay's lock. */
export const CAMERA_OUTBOX_TABLE = outboxTable('camera_outbox', 'camera_id', 4_617_315_517_961_603);

/** A camera as its ingest job: what a worker needs to run it. */
export interface CameraJobState {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  /** the camera is active and so is its group */
  readonly enabled: boolean;
  readonly camera_group_id: number;
  /** the camera's match threshold, else its group's; null for neither */
  readonly confidence_threshold: number | null;
  readonly stream_settings: Readonly<Record<string, unknown>>;
  /** times restarted through the API (migration 006) */
  readonly restarts: number;
  /** from the camera_job_version sequence, taken when read: bigint as text */
  readonly version: string;
}

const JOBS = `SELECT c.id, c.name, c.url, c.active AND g.active AS enabled, c.camera_group_id,
    coalesce(c.confidence_threshold, g.confidence_threshold) AS confidence_threshold, c.stream_settings, c.restarts,
    nextval('camera_job_version')::text AS version
  FROM cameras c JOIN camera_groups g ON g.id = c.camera_group_id`;

/** The jobs of those of `cameraIds` that exist, each with a new version; a camera missing from the answer was deleted. */
export async function cameraJobsById(q: Queryable, cameraIds: readonly number[]): Promise<CameraJobState[]> {
  return (await q.query<CameraJobState>(`${JOBS} WHERE c.id = ANY($1::integer[]) ORDER BY c.id`, [[...cameraIds]])).rows;
}

/** Every camera's job, a page at a time by id (a relay's snapshot for a publisher that keeps nothing across runs). */
export async function cameraJobs(q: Queryable, page: Page = {}): Promise<CameraJobState[]> {
  const [after, limit] = pageParams(page);
  return (await q.query<CameraJobState>(`${JOBS} WHERE c.id > $1 ORDER BY c.id LIMIT $2`, [after, limit])).rows;
}
