// The outbox of camera jobs (migration 003): the cameras whose job changed, and that job's state — what the relay
// (pipelines/cameras/publish/) publishes on the `cameras` topic.
import type { Queryable } from '../db.ts';

/** The NOTIFY channel the outbox's trigger signals at every commit that queued rows. */
export const CAMERA_OUTBOX_CHANNEL = 'camera_outbox';

/** pg_try_advisory_xact_lock key held while one relay drains the camera outbox (not the dossier relay's key). */
const RELAY_LOCK = 4_617_315_517_961_603;

export interface CameraOutboxRow {
  /** bigint, as text */
  readonly id: string;
  readonly camera_id: number;
}

/** A camera as its ingest job: what a worker needs to run it. */
export interface CameraJobState {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  /** the camera is active and so is its group */
  readonly enabled: boolean;
  readonly camera_group_id: number;
  readonly stream_settings: Readonly<Record<string, unknown>>;
  /** from the camera_job_version sequence, taken when read: bigint as text */
  readonly version: string;
}

export async function tryCameraRelayLock(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked`);
  return rows[0]?.locked === true;
}

/** The oldest `limit` outbox rows. */
export async function pendingCameraOutbox(q: Queryable, limit: number): Promise<CameraOutboxRow[]> {
  const { rows } = await q.query<CameraOutboxRow>('SELECT id::text AS id, camera_id FROM camera_outbox ORDER BY id LIMIT $1', [limit]);
  return rows;
}

/** Deletes outbox rows by id; resolves to how many were deleted. */
export async function deleteCameraOutbox(q: Queryable, ids: readonly string[]): Promise<number> {
  return (await q.query('DELETE FROM camera_outbox WHERE id = ANY($1::bigint[])', [[...ids]])).rowCount;
}

/** Outbox rows waiting (for tests and metrics). */
export async function cameraOutboxLength(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::integer AS n FROM camera_outbox');
  return rows[0]?.n ?? 0;
}

/** The jobs of those of `cameraIds` that exist, each with a new version; a camera missing from the answer was deleted. */
export async function cameraJobsById(q: Queryable, cameraIds: readonly number[]): Promise<CameraJobState[]> {
  const { rows } = await q.query<CameraJobState>(
    `SELECT c.id, c.name, c.url, c.active AND g.active AS enabled, c.camera_group_id, c.stream_settings,
       nextval('camera_job_version')::text AS version
     FROM cameras c JOIN camera_groups g ON g.id = c.camera_group_id
     WHERE c.id = ANY($1::integer[]) ORDER BY c.id`,
    [[...cameraIds]],
  );
  return rows;
}
