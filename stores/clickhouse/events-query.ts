// Face events for the API: FindFace's filters, ordering by time, cursor pagination on (ts, id). Reads
// face_events FINAL, so every event appears once, in its latest version (filters apply after FINAL).
import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './names.ts';
import { SqlConditions } from './sql-params.ts';
import type { DeviceAttributes } from '../../schemas/records.ts';

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
}

/** What one reader may see (FindFace's rule): the event's camera group, and its matched lists or the Unmatched list. */
export interface EventVisibility {
  /** camera group ids as face_events.camera_group holds them */
  readonly cameraGroups: readonly string[];
  /** a matched event is visible when it matched through any of these watch lists */
  readonly watchLists: readonly string[];
  /** whether unmatched events are visible (the built-in Unmatched list) */
  readonly unmatched: boolean;
}

export interface EventFilter {
  /** ms since the epoch, inclusive */
  readonly from?: number;
  /** ms since the epoch, exclusive */
  readonly to?: number;
  readonly ids?: readonly string[];
  readonly cameras?: readonly string[];
  readonly cameraGroups?: readonly string[];
  /** events that matched through any of these watch lists */
  readonly watchLists?: readonly string[];
  /** true: matched only; false: FindFace's `no_match` */
  readonly matched?: boolean;
  readonly dossiers?: readonly string[];
  readonly episodes?: readonly string[];
  readonly acknowledged?: boolean;
  /** true: alerts only (FaceEvent.alert, the camera's alert mode); false: the rest */
  readonly alert?: boolean;
  /** true: only duplicates (camera group deduplication, docs/DEDUP.md); false: only kept events; absent: both */
  readonly duplicate?: boolean;
  /** attribute classes: an event passes when its class is one of these (events without the attribute do not) */
  readonly genders?: readonly string[];
  readonly emotions?: readonly string[];
  readonly eyes?: readonly string[];
  readonly liveness?: readonly string[];
  readonly age?: NumberRange;
  /** FindFace quality scale, 0 best … -5 */
  readonly quality?: NumberRange;
  readonly confidence?: NumberRange;
  /** only the events this reader may see; absent = all */
  readonly visibleTo?: EventVisibility;
}

export type EventOrder = 'newest' | 'oldest';

export interface EventQuery {
  readonly filter?: EventFilter;
  /** newest first by default */
  readonly order?: EventOrder;
  /** 1 … 1000, 50 by default */
  readonly limit?: number;
  /** `nextCursor` of the previous page */
  readonly cursor?: string | null;
  /** include the face vectors (512 floats each) */
  readonly withEmbedding?: boolean;
}

export interface ClassAttribute {
  readonly name: string;
  readonly confidence: number;
}

export interface EventView {
  readonly id: string;
  /** ms since the epoch */
  readonly ts: number;
  readonly camera: string;
  readonly cameraGroup: string | null;
  readonly trackId: string;
  readonly postNo: number;
  readonly postType: 'realtime' | 'overall';
  readonly frame: { readonly seq: number; readonly ref: string | null; readonly width: number; readonly height: number; readonly t: number };
  readonly matched: boolean;
  readonly dossier: string | null;
  readonly watchLists: readonly string[];
  readonly confidence: number;
  /** an alert under its camera's alert mode (pipelines/match/alert.ts) */
  readonly alert: boolean;
  readonly candidates: readonly { readonly dossier: string; readonly dossierFace: string; readonly watchList: string; readonly confidence: number }[];
  readonly quality: number;
  readonly detectorScore: number;
  readonly bbox: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  readonly attributes: {
    readonly gender: ClassAttribute | null;
    readonly age: number | null;
    readonly emotions: ClassAttribute | null;
    readonly eyes: ClassAttribute | null;
    readonly liveness: ClassAttribute | null;
    readonly headpose: { readonly yaw: number; readonly pitch: number; readonly roll: number } | null;
  };
  readonly modelId: string;
  readonly episodeId: string | null;
  /** the kept event this one repeats (camera group deduplication); null when kept */
  readonly duplicateOf: string | null;
  /** what the edge device that pushed the face said about it (pipelines/viewtron); null for faces found in video */
  readonly device: DeviceAttributes | null;
  readonly acknowledged: boolean;
  readonly acknowledgedBy: string | null;
  /** ms since the epoch */
  readonly acknowledgedAt: number | null;
  readonly embedding?: readonly number[];
}

export interface EventPage {
  readonly events: readonly EventView[];
  /** pass as `cursor` for the next page; null on the last page */
  readonly nextCursor: string | null;
}

export class EventQueryError extends Error {
  override readonly name = 'EventQueryError';
}

export const MAX_EVENTS_PAGE = 1000;

export function encodeCursor(ts: number, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === 'string') return { ts: v[0] as number, id: v[1] };
  } catch {
    // reported below
  }
  throw new EventQueryError('invalid cursor');
}

/** Adds the conditions of `filter` on face_events columns. */
export function eventConditions(filter: EventFilter, c = new SqlConditions()): SqlConditions {
  c.timeRange('ts', filter.from, filter.to);
  c.in('id', filter.ids);
  c.in('camera', filter.cameras);
  c.in('camera_group', filter.cameraGroups);
  if (filter.watchLists !== undefined) c.add(`hasAny(watch_lists, ${c.param(filter.watchLists, 'Array(String)')})`);
  if (filter.matched !== undefined) c.add(filter.matched ? 'matched' : 'NOT matched');
  c.in('dossier', filter.dossiers);
  c.in('episode_id', filter.episodes);
  if (filter.acknowledged !== undefined) c.add(filter.acknowledged ? 'acknowledged' : 'NOT acknowledged');
  if (filter.alert !== undefined) c.add(filter.alert ? 'alert' : 'NOT alert');
  if (filter.duplicate !== undefined) c.add(filter.duplicate ? "duplicate_of != ''" : "duplicate_of = ''");
  c.in('gender', filter.genders);
  c.in('emotion', filter.emotions);
  c.in('eyes', filter.eyes);
  c.in('liveness', filter.liveness);
  if (filter.age !== undefined) c.add('age IS NOT NULL');
  c.range('age', filter.age);
  c.range('quality', filter.quality);
  c.range('confidence', filter.confidence);
  if (filter.visibleTo !== undefined) {
    const v = filter.visibleTo;
    c.in('camera_group', v.cameraGroups);
    const viaList = `(matched AND hasAny(watch_lists, ${c.param(v.watchLists, 'Array(String)')}))`;
    c.add(v.unmatched ? `(${viaList} OR NOT matched)` : viaList);
  }
  return c;
}

const COLUMNS = `id, toUnixTimestamp64Milli(ts) AS ts_ms, t_s, camera, camera_group, track_id, post_no, post_type,
  frame_seq, frame_ref, frame_width, frame_height, matched, dossier, watch_lists, confidence, alert,
  candidate_dossiers, candidate_dossier_faces, candidate_watch_lists, candidate_confidences,
  quality, detector_score, bbox_x1, bbox_y1, bbox_x2, bbox_y2,
  gender, gender_confidence, age, emotion, emotion_confidence, eyes, eyes_confidence, liveness, liveness_confidence,
  headpose_yaw, headpose_pitch, headpose_roll, model_id, episode_id, duplicate_of,
  device_vendor, device_event_type, device_name, device_target_id, device_age, device_sex, device_glasses, device_mask,
  acknowledged, acknowledged_by, toUnixTimestamp64Milli(acknowledged_at) AS acknowledged_at_ms`;

interface EventDbRow {
  id: string;
  ts_ms: string;
  t_s: number;
  camera: string;
  camera_group: string;
  track_id: string;
  post_no: number;
  post_type: 'realtime' | 'overall';
  frame_seq: string;
  frame_ref: string;
  frame_width: number;
  frame_height: number;
  matched: boolean;
  dossier: string;
  watch_lists: string[];
  confidence: number;
  alert: boolean;
  candidate_dossiers: string[];
  candidate_dossier_faces: string[];
  candidate_watch_lists: string[];
  candidate_confidences: number[];
  quality: number;
  detector_score: number;
  bbox_x1: number;
  bbox_y1: number;
  bbox_x2: number;
  bbox_y2: number;
  gender: string;
  gender_confidence: number;
  age: number | null;
  emotion: string;
  emotion_confidence: number;
  eyes: string;
  eyes_confidence: number;
  liveness: string;
  liveness_confidence: number;
  headpose_yaw: number | null;
  headpose_pitch: number | null;
  headpose_roll: number | null;
  model_id: string;
  episode_id: string;
  duplicate_of: string;
  device_vendor: string;
  device_event_type: string;
  device_name: string;
  device_target_id: string;
  device_age: string;
  device_sex: string;
  device_glasses: string;
  device_mask: string;
  acknowledged: boolean;
  acknowledged_by: string;
  acknowledged_at_ms: string | null;
  embedding?: number[];
}

const classAttr = (name: string, confidence: number): ClassAttribute | null => (name === '' ? null : { name, confidence });
const orNull = (s: string): string | null => (s === '' ? null : s);

function toView(r: EventDbRow): EventView {
  const view: EventView = {
    id: r.id,
    ts: Number(r.ts_ms),
    camera: r.camera,
    cameraGroup: orNull(r.camera_group),
    trackId: r.track_id,
    postNo: r.post_no,
    postType: r.post_type,
    frame: { seq: Number(r.frame_seq), ref: orNull(r.frame_ref), width: r.frame_width, height: r.frame_height, t: r.t_s },
    matched: r.matched,
    dossier: orNull(r.dossier),
    watchLists: r.watch_lists,
    confidence: r.confidence,
    alert: r.alert,
    candidates: r.candidate_dossiers.map((dossier, i) => ({
      dossier,
      dossierFace: r.candidate_dossier_faces[i] ?? '',
      watchList: r.candidate_watch_lists[i] ?? '',
      confidence: r.candidate_confidences[i] ?? 0,
    })),
    quality: r.quality,
    detectorScore: r.detector_score,
    bbox: { x1: r.bbox_x1, y1: r.bbox_y1, x2: r.bbox_x2, y2: r.bbox_y2 },
    attributes: {
      gender: classAttr(r.gender, r.gender_confidence),
      age: r.age,
      emotions: classAttr(r.emotion, r.emotion_confidence),
      eyes: classAttr(r.eyes, r.eyes_confidence),
      liveness: classAttr(r.liveness, r.liveness_confidence),
      headpose:
        r.headpose_yaw === null || r.headpose_pitch === null || r.headpose_roll === null
          ? null
          : { yaw: r.headpose_yaw, pitch: r.headpose_pitch, roll: r.headpose_roll },
    },
    modelId: r.model_id,
    episodeId: orNull(r.episode_id),
    duplicateOf: orNull(r.duplicate_of),
    device:
      r.device_vendor === ''
        ? null
        : {
            vendor: r.device_vendor,
            eventType: r.device_event_type,
            deviceName: orNull(r.device_name),
            targetId: orNull(r.device_target_id),
            age: orNull(r.device_age),
            sex: orNull(r.device_sex),
            glasses: orNull(r.device_glasses),
            mask: orNull(r.device_mask),
          },
    acknowledged: r.acknowledged,
    acknowledgedBy: r.acknowledged ? orNull(r.acknowledged_by) : null,
    acknowledgedAt: r.acknowledged_at_ms === null ? null : Number(r.acknowledged_at_ms),
  };
  return r.embedding === undefined ? view : { ...view, embedding: r.embedding };
}

const HOUR = 3_600_000;
/**
 * How far from its starting edge a page looks first, then next (each window adjoining the one before), before
 * the rest of the range: most pages fill within the first hour, and a window costs what its partitions do.
 */
const WINDOWS_MS = [HOUR, 24 * HOUR, 7 * 24 * HOUR];

/**
 * One page of events matching `query.filter`, in time order (ties by id).
 *
 * Newest first (oldest first is the mirror): ordering the whole table by time and cutting the first rows would
 * read and FINAL-merge every partition, since the table is ordered by camera first. Instead the page is looked for
 * in adjoining time windows going back from its edge (the cursor, the filter's `to`, else the newest event): the
 * newest hour, then the rest of the day, of the week, then all the rest, stopping as soon as the page is full.
 * A window's time bounds prune partitions (by day) and, within them, granules (ts follows camera in the key).
 * The windows do not overlap and each holds only events older than the one before, so the page is the same as
 * one query over the whole range would give. A page by event ids is a lookup: one query.
 */
export async function queryEvents(client: ClickHouseClient, query: EventQuery = {}): Promise<EventPage> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) throw new EventQueryError(`limit must be an integer in 1…${MAX_EVENTS_PAGE}`);
  const newest = (query.order ?? 'newest') === 'newest';
  const filter = query.filter ?? {};
  const c = eventConditions(filter);
  const at = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (at) {
    // the plain bound on ts lets the primary key and the partitions prune; the tuple orders ties by id
    c.add(`ts ${newest ? '<=' : '>='} ${c.msTime(at.ts)}`);
    c.add(`(ts, id) ${newest ? '<' : '>'} (${c.msTime(at.ts)}, ${c.param(at.id, 'String')})`);
  }
  const dir = newest ? 'DESC' : 'ASC';
  const select = async (window: readonly string[], rowsWanted: number) => {
    const rs = await client.query({
      query: `SELECT ${COLUMNS}${query.withEmbedding ? ', embedding' : ''}
        FROM ${TABLES.faceEvents} FINAL
        ${c.where(window)}
        ORDER BY ts ${dir}, id ${dir}
        LIMIT ${c.param(rowsWanted, 'UInt32')}`,
      query_params: c.params,
      format: 'JSONEachRow',
    });
    return rs.json<EventDbRow>();
  };
  const rows: EventDbRow[] = [];
  if (filter.ids !== undefined) {
    rows.push(...(await select([], limit + 1)));
  } else {
    const bounds = newest ? [at?.ts, filter.to] : [at?.ts, filter.from];
    const known = bounds.filter((b): b is number => b !== undefined);
    const edge = known.length > 0 ? (newest ? Math.min(...known) : Math.max(...known)) : await newestOrOldest(client, newest);
    const stop = newest ? filter.from : filter.to;
    let inner: number | undefined;
    for (const width of [...WINDOWS_MS, Infinity]) {
      // newest first: the window is [edge - width, inner), open towards older times when it is the last
      const outer = edge + (newest ? -width : width);
      const last = !Number.isFinite(outer) || (stop !== undefined && (newest ? outer <= stop : outer >= stop));
      const window: string[] = [];
      if (inner !== undefined) window.push(`ts ${newest ? '<' : '>='} ${c.msTime(inner)}`);
      if (!last) window.push(`ts ${newest ? '>=' : '<'} ${c.msTime(outer)}`);
      rows.push(...(await select(window, limit + 1 - rows.length)));
      if (last || rows.length > limit) break;
      inner = outer;
    }
  }
  const events = rows.slice(0, limit).map(toView);
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > limit && last ? encodeCursor(last.ts, last.id) : null };
}

/** The time of the newest (or oldest) event, ms since the epoch; read from the parts' min/max of the partition key. */
async function newestOrOldest(client: ClickHouseClient, newest: boolean): Promise<number> {
  const rs = await client.query({
    query: `SELECT toUnixTimestamp64Milli(${newest ? 'max' : 'min'}(ts)) AS ms FROM ${TABLES.faceEvents}`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ ms: string }>();
  return Number(row?.ms ?? 0);
}

/** How many events match `filter`. */
export async function countEvents(client: ClickHouseClient, filter: EventFilter = {}): Promise<number> {
  const c = eventConditions(filter);
  const rs = await client.query({
    query: `SELECT count() AS n FROM ${TABLES.faceEvents} FINAL ${c.where()}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string }>();
  return Number(row?.n ?? 0);
}
