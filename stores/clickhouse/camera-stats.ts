// Camera health samples (table camera_stats, migration 0006): CameraStatus records written by whoever runs the
// camera, read back as a camera's time series (GET /cameras/{id}/statistics). Keyed by camera and time to the
// millisecond: the same sample written twice replaces itself, so reads use FINAL.
import type { ClickHouseClient } from '@clickhouse/client';
import type { CameraCounters } from '../../pipelines/cameras/health.ts';
import { healthOfStatus } from '../../pipelines/cameras/status.ts';
import type { CameraStatus } from '../../schemas/generated/avro-types.ts';
import { TABLES } from './names.ts';
import { SqlConditions } from './sql-params.ts';

/** The record as a camera_stats row: its health's columns (DateTime64(3) `since` in ms), camera and time, worker, error. */
export const cameraStatsRow = (s: CameraStatus) => {
  const { last_error, last_error_at: _, ...health } = healthOfStatus(s);
  return {
    camera: s.cameraId,
    ts: Math.floor(s.ts / 1000), // DateTime: seconds since the epoch
    at: s.ts, // DateTime64(3): ms since the epoch
    ...health,
    worker: s.worker,
    error: last_error ?? '',
  };
};

export async function writeCameraStatuses(client: ClickHouseClient, statuses: readonly CameraStatus[]): Promise<void> {
  if (statuses.length === 0) return;
  await client.insert({ table: TABLES.cameraStats, values: statuses.map(cameraStatsRow), format: 'JSONEachRow' });
}

export interface CameraStatsQuery {
  readonly camera: string;
  /** ms since the epoch, inclusive */
  readonly from: number;
  /** ms since the epoch, exclusive */
  readonly to: number;
  /** the newest samples up to this many */
  readonly limit: number;
}

/** A sample as the API answers it (FindFace's names). */
export interface CameraStatsSample extends CameraCounters {
  readonly ts: string;
  readonly status: string;
  readonly state: string;
  readonly processing_fps: number;
  readonly last_error: string | null;
}

type Row = Omit<CameraStatsSample, 'ts' | 'last_error'> & { readonly ts_ms: string; readonly error: string };

const COUNTERS = ['frames_processed', 'frames_dropped', 'frames_imotion_skipped', 'faces_posted', 'faces_failed', 'decoding_soft_errors', 'job_starts'] as const;

/** The camera's samples in [from, to), oldest first (the newest `limit` of them). */
export async function queryCameraStats(client: ClickHouseClient, q: CameraStatsQuery): Promise<CameraStatsSample[]> {
  const where = new SqlConditions();
  where.add(`camera = ${where.param(q.camera, 'String')}`);
  where.timeRange('at', q.from, q.to);
  const rs = await client.query({
    query: `SELECT toUnixTimestamp64Milli(at) AS ts_ms, status, state, processing_fps, ${COUNTERS.join(', ')}, error
            FROM ${TABLES.cameraStats} FINAL WHERE ${where.parts.join(' AND ')}
            ORDER BY at DESC LIMIT ${where.param(q.limit, 'UInt32')}`,
    query_params: where.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Row>();
  return rows.reverse().map(({ ts_ms, error, ...r }) => ({
    ...r,
    ...Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c])])),
    processing_fps: Number(r.processing_fps),
    ts: new Date(Number(ts_ms)).toISOString(),
    last_error: error === '' ? null : error,
  })) as CameraStatsSample[];
}
