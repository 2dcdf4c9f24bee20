// Counter records in ClickHouse (counter_records, migrations 0003 + 0008): the write the counters sink makes, the
// records list with FindFace's filters (counter, cameras, camera groups, time, number of faces, record id) in cursor
// pages like /events, and the statistics per minute, hour or day (FindFace's chart: how the count changes over
// time). A counter writes one row per camera and interval (a few thousand a day), so the statistics group the rows
// themselves, with no materialized view.
import type { ClickHouseClient } from '@clickhouse/client';
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import { decodeCursor, encodeCursor } from './events-query.ts';
import { TABLES, type StatsGranularity } from './names.ts';
import { dateTime64 } from './rows.ts';
import { SqlConditions } from './sql-params.ts';

export async function insertCounterRecords(client: ClickHouseClient, records: readonly CounterRecord[]): Promise<void> {
  if (records.length === 0) return;
  await client.insert({
    table: TABLES.counterRecords,
    format: 'JSONEachRow',
    values: records.map((r) => ({
      id: r.id,
      counter_id: r.counter,
      counter_name: r.counterName,
      camera: r.camera,
      camera_group: r.cameraGroup ?? '',
      ts: dateTime64(r.ts),
      seq: r.seq,
      faces_count: r.facesCount,
      faces_bbox: r.facesBbox.map((b) => [b.x1, b.y1, b.x2, b.y2]),
      silhouettes_count: 0,
      frame_ref: r.frameRef ?? '',
      frame_width: r.frameWidth,
      frame_height: r.frameHeight,
    })),
  });
}

export interface CounterRecordFilter {
  readonly counter: string;
  readonly ids?: readonly string[];
  readonly cameras?: readonly string[];
  readonly cameraGroups?: readonly string[];
  /** ms since the epoch, [from, to) */
  readonly from?: number;
  readonly to?: number;
  readonly facesGte?: number;
  readonly facesLte?: number;
}

/** A counter record as the API shows it. */
export interface CounterRecordView {
  readonly id: string;
  readonly counter: string;
  readonly counterName: string;
  readonly camera: string;
  readonly cameraGroup: string;
  /** ms since the epoch */
  readonly ts: number;
  readonly seq: number;
  readonly facesCount: number;
  readonly facesBbox: readonly (readonly number[])[];
  readonly frameRef: string;
  readonly frameWidth: number;
  readonly frameHeight: number;
}

export interface CounterRecordsQuery {
  readonly filter: CounterRecordFilter;
  readonly limit: number;
  /** oldest first when true; newest first by default */
  readonly ascending?: boolean;
  /** `nextCursor` of the previous page */
  readonly cursor?: string | null;
}

function conditions(f: CounterRecordFilter): SqlConditions {
  const c = new SqlConditions();
  c.add(`counter_id = ${c.param(f.counter, 'String')}`);
  c.in('id', f.ids);
  c.in('camera', f.cameras);
  c.in('camera_group', f.cameraGroups);
  c.timeRange('ts', f.from, f.to);
  c.range('faces_count', { ...(f.facesGte !== undefined ? { min: f.facesGte } : {}), ...(f.facesLte !== undefined ? { max: f.facesLte } : {}) });
  return c;
}

/** One page, newest (or oldest) first, and the cursor of the next one (null on the last page). */
export async function queryCounterRecords(client: ClickHouseClient, q: CounterRecordsQuery): Promise<{ records: CounterRecordView[]; nextCursor: string | null }> {
  const c = conditions(q.filter);
  const dir = q.ascending ? 'ASC' : 'DESC';
  if (q.cursor) {
    const at = decodeCursor(q.cursor);
    c.add(`(ts, id) ${q.ascending ? '>' : '<'} (${c.msTime(at.ts)}, ${c.param(at.id, 'String')})`);
  }
  const rs = await client.query({
    query: `SELECT id, counter_id, counter_name, camera, camera_group, toUnixTimestamp64Milli(ts) AS ts_ms, seq, faces_count,
        faces_bbox, frame_ref, frame_width, frame_height
      FROM ${TABLES.counterRecords} FINAL
      ${c.where()}
      ORDER BY ts ${dir}, id ${dir}
      LIMIT ${c.param(q.limit + 1, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  type Row = { id: string; counter_id: string; counter_name: string; camera: string; camera_group: string; ts_ms: string; seq: string; faces_count: number; faces_bbox: number[][]; frame_ref: string; frame_width: number; frame_height: number };
  const rows = await rs.json<Row>();
  const records = rows.slice(0, q.limit).map((r) => ({
    id: r.id,
    counter: r.counter_id,
    counterName: r.counter_name,
    camera: r.camera,
    cameraGroup: r.camera_group,
    ts: Number(r.ts_ms),
    seq: Number(r.seq),
    facesCount: r.faces_count,
    facesBbox: r.faces_bbox,
    frameRef: r.frame_ref,
    frameWidth: r.frame_width,
    frameHeight: r.frame_height,
  }));
  const last = records[records.length - 1];
  return { records, nextCursor: rows.length > q.limit && last ? encodeCursor(last.ts, last.id) : null };
}

export interface CounterStatsQuery {
  readonly counter: string;
  readonly granularity: StatsGranularity;
  readonly from?: number;
  readonly to?: number;
  readonly cameras?: readonly string[];
  readonly cameraGroups?: readonly string[];
}

export interface CounterStatsRow {
  /** start of the bucket, ms since the epoch (UTC) */
  readonly bucket: number;
  readonly camera: string;
  /** screenshots taken in the bucket */
  readonly records: number;
  readonly avgFaces: number;
  readonly minFaces: number;
  readonly maxFaces: number;
}

const BUCKET: Readonly<Record<StatsGranularity, string>> = {
  minute: 'toStartOfMinute(ts)',
  hour: 'toStartOfHour(ts)',
  day: 'toStartOfDay(ts)',
};

/** Per bucket and camera, ordered by bucket then camera; buckets without records are absent. */
export async function queryCounterStats(client: ClickHouseClient, q: CounterStatsQuery): Promise<CounterStatsRow[]> {
  const c = conditions({ counter: q.counter, ...(q.cameras ? { cameras: q.cameras } : {}), ...(q.cameraGroups ? { cameraGroups: q.cameraGroups } : {}) });
  // whole buckets: a bucket is in when its start is in [from, to), as /statistics selects them
  if (q.from !== undefined) c.add(`${BUCKET[q.granularity]} >= ${c.msTime(q.from)}`);
  if (q.to !== undefined) c.add(`${BUCKET[q.granularity]} < ${c.msTime(q.to)}`);
  const rs = await client.query({
    query: `SELECT toUnixTimestamp(${BUCKET[q.granularity]}) * 1000 AS bucket_ms, camera, count() AS records,
        avg(faces_count) AS avg_faces, min(faces_count) AS min_faces, max(faces_count) AS max_faces
      FROM ${TABLES.counterRecords} FINAL
      ${c.where()}
      GROUP BY bucket_ms, camera
      ORDER BY bucket_ms, camera`,
    query_params: c.params,
    format: 'JSONCompact',
  });
  const { data } = await rs.json<[string, string, string, number, number, number]>();
  return data.map(([bucket, camera, records, avgFaces, minFaces, maxFaces]) => ({ bucket: Number(bucket), camera, records: Number(records), avgFaces, minFaces, maxFaces }));
}
