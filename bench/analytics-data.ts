// Synthetic face events for the analytics and API benches: N rows of face_events in the real schema (migrations
// applied by the product's migrate(), so the statistics views fill as they do in production), generated inside
// ClickHouse with INSERT … SELECT FROM numbers() — orders of magnitude faster than rows built in JS and sent over.
// Kept in .cache/bench/<kind>/ (git-ignored) with a meta.json written last, so a later run reuses a complete set.
//
// Shape: posts of 4 per track, tracks spread evenly over DAYS days; CAMERAS cameras in GROUPS groups; a share
// MATCHED_PERCENT of tracks matched to one of DOSSIERS dossiers on WATCH_LISTS lists (every 5th dossier on two);
// 3 candidates per event; gender, age, emotion, eyes, liveness and head pose filled like the attribute heads do;
// one closed episode per track (its events linked through face_events.episode_id, as the sink links them).
// Ids are the text of 64-bit hashes, as the pipeline's are; cameras, groups, lists and dossiers are numeric ids as
// the API's PostgreSQL ids are. Vectors: none by default (10 M × 2 KiB would be 20 GiB of random floats that
// no events query or statistic reads); `embeddedShare` fills that share with unit vectors of random direction
// (hashes of the row and the coordinate, uniform in [-1, 1] before normalising) for search by photo to scan.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from '../stores/clickhouse/names.ts';

export const CAMERAS = 64;
export const GROUPS = 8;
export const WATCH_LISTS = 5;
export const DOSSIERS = 5000;
export const MATCHED_PERCENT = 10;
export const DAYS = 30;
const POSTS_PER_TRACK = 4;
/** rows per INSERT … SELECT: each spans a few days, so it writes a few parts, not one per day per row batch */
const CHUNK = 1_000_000;
/** bumped when the generated shape changes, so a cached set of the old shape is not reused */
export const DATA_VERSION = 2;

export interface Dataset {
  readonly rows: number;
  /** ms since the epoch: the events lie in [fromMs, toMs) */
  readonly fromMs: number;
  readonly toMs: number;
  readonly embeddedShare: number;
  readonly modelId: string;
  /** seconds the generation took (when cached: the run that made it) */
  readonly generationS: number;
  readonly generatedAt: string;
  /** rows of the statistics tables the views filled */
  readonly statsRows: { readonly minute: number; readonly hour: number; readonly day: number };
  /** bytes of face_events on disk (compressed) */
  readonly bytesOnDisk: number;
}

const META = 'meta.json';

/** The cached set's directory (its chdb data lives in `<dir>/clickhouse`, as `serve --data-dir` expects). */
export function datasetDir(root: string, kind: string, rows: number, embeddedShare: number): string {
  return join(root, '.cache', 'bench', kind, `v${DATA_VERSION}-rows${rows}-emb${embeddedShare}`);
}

/** The complete cached set in `dir`, or undefined (a directory without meta.json is a half-made one). */
export function cachedDataset(dir: string): Dataset | undefined {
  const file = join(dir, META);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Dataset) : undefined;
}

/** Removes a half-made set, so the store opened next starts empty. */
export function clearIncomplete(dir: string): void {
  if (!existsSync(join(dir, META)) && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/** u(salt): a uniform number in [0, 1) per row, from a hash of `key` and the salt */
const u = (key: string, salt: string) => `(cityHash64(${key}, '${salt}') % 1000000 / 1e6)`;

/** the start of a track, ms: tracks spread evenly over the span */
const TRACK_START = `{from:Int64} + intDiv(track * {span:Int64}, {tracks:UInt64})`;

/** INSERT … SELECT of the rows numbered [start, start + count) of a set of `rows` over [fromMs, fromMs + spanMs). */
function insertSql(): string {
  // every expression is built from n (the row number) and track (its track), so a row is the same in any run
  return `INSERT INTO ${TABLES.faceEvents} (id, ts, t_s, camera, camera_group, track_id, post_no, post_type, frame_seq, frame_ref,
    frame_width, frame_height, track_first_ts, track_last_ts, track_frames, matched, dossier, watch_lists, confidence,
    candidate_dossiers, candidate_dossier_faces, candidate_watch_lists, candidate_confidences, quality, detector_score, sharpness,
    bbox_x1, bbox_y1, bbox_x2, bbox_y2, pose_yaw, pose_pitch, pose_roll, gender, gender_confidence, age, emotion, emotion_confidence,
    eyes, eyes_confidence, liveness, liveness_confidence, headpose_yaw, headpose_pitch, headpose_roll, model_id, fresh, embedding, episode_id)
  SELECT
    toString(cityHash64(n, 'id')) AS id,
    fromUnixTimestamp64Milli(toInt64(track_start_ms + post * 400), 'UTC') AS ts,
    (track_start_ms - {from:Int64}) / 1000 + post * 0.4 AS t_s,
    toString(cam) AS camera,
    toString((cam - 1) % ${GROUPS} + 1) AS camera_group,
    toString(cityHash64(track, 'track')) AS track_id,
    toUInt32(post + 1) AS post_no,
    if(post = ${POSTS_PER_TRACK - 1}, 'overall', 'realtime') AS post_type,
    toUInt64(n) AS frame_seq,
    '' AS frame_ref,
    1920 AS frame_width,
    1080 AS frame_height,
    fromUnixTimestamp64Milli(toInt64(track_start_ms), 'UTC') AS track_first_ts,
    fromUnixTimestamp64Milli(toInt64(track_start_ms + ${(POSTS_PER_TRACK - 1) * 400}), 'UTC') AS track_last_ts,
    toUInt32(20 + cityHash64(track, 'frames') % 200) AS track_frames,
    is_matched AS matched,
    if(is_matched, toString(dos), '') AS dossier,
    if(is_matched, lists_of_dos, []) AS watch_lists,
    toFloat32(if(is_matched, 0.6 + 0.35 * ${u('n', 'conf')}, 0.05 + 0.45 * ${u('n', 'conf')})) AS confidence,
    [toString(dos), toString(other1), toString(other2)] AS candidate_dossiers,
    [concat(toString(dos), '-1'), concat(toString(other1), '-1'), concat(toString(other2), '-1')] AS candidate_dossier_faces,
    [toString(dos % ${WATCH_LISTS} + 1), toString(other1 % ${WATCH_LISTS} + 1), toString(other2 % ${WATCH_LISTS} + 1)] AS candidate_watch_lists,
    [confidence, toFloat32(confidence * 0.7), toFloat32(confidence * 0.5)] AS candidate_confidences,
    toFloat32(-3 * ${u('n', 'quality')}) AS quality,
    toFloat32(0.6 + 0.4 * ${u('n', 'det')}) AS detector_score,
    toFloat32(50 + 200 * ${u('n', 'sharp')}) AS sharpness,
    toFloat32(1600 * ${u('n', 'x')}) AS bbox_x1,
    toFloat32(800 * ${u('n', 'y')}) AS bbox_y1,
    toFloat32(bbox_x1 + 60 + 140 * ${u('track', 'size')}) AS bbox_x2,
    toFloat32(bbox_y1 + 60 + 140 * ${u('track', 'size')}) AS bbox_y2,
    toFloat32(60 * ${u('n', 'yaw')} - 30) AS pose_yaw,
    toFloat32(40 * ${u('n', 'pitch')} - 20) AS pose_pitch,
    toFloat32(20 * ${u('n', 'roll')} - 10) AS pose_roll,
    if(${u('track', 'gender')} < 0.5, 'male', 'female') AS gender,
    toFloat32(0.6 + 0.4 * ${u('n', 'gconf')}) AS gender_confidence,
    toFloat32(18 + 55 * ${u('track', 'age')}) AS age,
    ['neutral', 'neutral', 'neutral', 'happy', 'sad', 'surprise', 'angry', 'fear', 'disgust'][1 + cityHash64(n, 'emotion') % 9] AS emotion,
    toFloat32(0.4 + 0.6 * ${u('n', 'econf')}) AS emotion_confidence,
    if(${u('n', 'eyes')} < 0.9, 'open', 'closed') AS eyes,
    toFloat32(0.7 + 0.3 * ${u('n', 'eyconf')}) AS eyes_confidence,
    if(${u('n', 'live')} < 0.98, 'real', 'fake') AS liveness,
    toFloat32(0.7 + 0.3 * ${u('n', 'lconf')}) AS liveness_confidence,
    pose_yaw AS headpose_yaw,
    pose_pitch AS headpose_pitch,
    pose_roll AS headpose_roll,
    {model:String} AS model_id,
    post = 0 AS fresh,
    if(${u('n', 'emb')} < {share:Float64}, arrayMap(x -> toFloat32(x / sqrt(arraySum(arrayMap(y -> y * y, raw)))), raw), []) AS embedding,
    toString(cityHash64(track, 'episode')) AS episode_id
  FROM (
    SELECT
      number AS n,
      intDiv(number, ${POSTS_PER_TRACK}) AS track,
      number % ${POSTS_PER_TRACK} AS post,
      ${TRACK_START} AS track_start_ms,
      cityHash64(track, 'camera') % ${CAMERAS} + 1 AS cam,
      cityHash64(track, 'matched') % 100 < ${MATCHED_PERCENT} AS is_matched,
      cityHash64(track, 'dossier') % ${DOSSIERS} + 1 AS dos,
      cityHash64(track, 'other1') % ${DOSSIERS} + 1 AS other1,
      cityHash64(track, 'other2') % ${DOSSIERS} + 1 AS other2,
      if(dos % 5 = 0, [toString(dos % ${WATCH_LISTS} + 1), toString((dos + 1) % ${WATCH_LISTS} + 1)], [toString(dos % ${WATCH_LISTS} + 1)]) AS lists_of_dos,
      if(cityHash64(number, 'emb') % 1000000 / 1e6 < {share:Float64}, arrayMap(i -> cityHash64(number, i, 'vector') % 2000001 / 1e6 - 1, range(512)), []) AS raw
    FROM numbers({start:UInt64}, {count:UInt64})
  )`;
}

/** INSERT … SELECT of the episodes of the tracks [start, start + count): one closed episode each (version as the sink's). */
function episodesSql(): string {
  return `INSERT INTO ${TABLES.episodes} (id, version, scope, last_change, closed, last_event_id, best_event_id, events_count, dossier, cameras,
    start_ts, end_ts, start_t, end_t)
  SELECT
    toString(cityHash64(track, 'episode')) AS id,
    ${POSTS_PER_TRACK} * 2 + 1 AS version,
    'default' AS scope,
    'close' AS last_change,
    true AS closed,
    '' AS last_event_id,
    toString(cityHash64(track * ${POSTS_PER_TRACK} + ${POSTS_PER_TRACK - 1}, 'id')) AS best_event_id,
    ${POSTS_PER_TRACK} AS events_count,
    if(cityHash64(track, 'matched') % 100 < ${MATCHED_PERCENT}, toString(cityHash64(track, 'dossier') % ${DOSSIERS} + 1), '') AS dossier,
    [toString(cityHash64(track, 'camera') % ${CAMERAS} + 1)] AS cameras,
    fromUnixTimestamp64Milli(toInt64(track_start_ms), 'UTC') AS start_ts,
    fromUnixTimestamp64Milli(toInt64(track_start_ms + ${(POSTS_PER_TRACK - 1) * 400}), 'UTC') AS end_ts,
    (track_start_ms - {from:Int64}) / 1000 AS start_t,
    start_t + ${(POSTS_PER_TRACK - 1) * 0.4} AS end_t
  FROM (SELECT number AS track, ${TRACK_START} AS track_start_ms FROM numbers({start:UInt64}, {count:UInt64}))`;
}

export interface FillOptions {
  readonly rows: number;
  readonly embeddedShare: number;
  readonly modelId: string;
  /** told the progress (one line per chunk) */
  readonly log: (line: string) => void;
}

/** Fills the (migrated, empty) store of `dir` and writes its meta.json; the events end at the start of today (UTC). */
export async function fillDataset(client: ClickHouseClient, dir: string, o: FillOptions): Promise<Dataset> {
  const day = 86_400_000;
  const toMs = Math.floor(Date.now() / day) * day;
  const fromMs = toMs - DAYS * day;
  const tracks = Math.ceil(o.rows / POSTS_PER_TRACK);
  const t0 = performance.now();
  const sql = insertSql();
  for (let start = 0; start < o.rows; start += CHUNK) {
    const count = Math.min(CHUNK, o.rows - start);
    await client.command({
      query: sql,
      query_params: { from: fromMs, span: toMs - fromMs, tracks, start, count, model: o.modelId, share: o.embeddedShare },
    });
    o.log(`  ${(start + count).toLocaleString('en')} of ${o.rows.toLocaleString('en')} rows, ${Math.round((performance.now() - t0) / 1000)} s`);
  }
  const episodes = episodesSql();
  for (let start = 0; start < tracks; start += CHUNK) {
    await client.command({ query: episodes, query_params: { from: fromMs, span: toMs - fromMs, tracks, start, count: Math.min(CHUNK, tracks - start) } });
  }
  const generationS = Math.round((performance.now() - t0) / 100) / 10;
  const dataset: Dataset = {
    rows: o.rows,
    fromMs,
    toMs,
    embeddedShare: o.embeddedShare,
    modelId: o.modelId,
    generationS,
    generatedAt: new Date().toISOString(),
    statsRows: {
      minute: await scalar(client, `SELECT count() FROM ${TABLES.eventStatsMinute}`),
      hour: await scalar(client, `SELECT count() FROM ${TABLES.eventStatsHour}`),
      day: await scalar(client, `SELECT count() FROM ${TABLES.eventStatsDay}`),
    },
    bytesOnDisk: await scalar(client, `SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND table = '${TABLES.faceEvents}'`),
  };
  writeFileSync(join(dir, META), `${JSON.stringify(dataset, null, 2)}\n`);
  return dataset;
}

/** The single value `query` selects. */
export async function scalar(client: ClickHouseClient, query: string): Promise<number> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  const [row] = await rs.json<Record<string, string | number>>();
  return Number(row ? Object.values(row)[0] : 0);
}
