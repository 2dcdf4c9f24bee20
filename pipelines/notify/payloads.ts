// Records → the JSON objects webhooks and MQTT receive, in FindFace's field names (PRODUCT-REFERENCE.md §2.3,
// §2.5). Pure: the camera → group lookup and the recent events (for an episode's `last_event`) are handed in.
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { Box, EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { matchedWatchLists } from '../../stores/clickhouse/rows.ts';

export const WEBHOOK_TYPES = ['events', 'episodes', 'counters'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** FindFace's `matched_lists` of an unmatched event */
export const UNMATCHED_LISTS: readonly string[] = ['-1'];

const iso = (ms: number) => new Date(ms).toISOString();

export interface EventPayload {
  readonly webhook_type: 'events';
  readonly event_type: 'event_created';
  readonly id: string;
  readonly created_date: string;
  readonly camera: string;
  readonly camera_group: string | null;
  readonly bs_type: 'realtime' | 'overall';
  /** where the full frame is kept in the frame store, or null */
  readonly frame: string | null;
  readonly frame_coords_left: number;
  readonly frame_coords_top: number;
  readonly frame_coords_right: number;
  readonly frame_coords_bottom: number;
  readonly quality: number;
  readonly detection_score: number;
  readonly scores: {
    readonly quality: number;
    readonly track: { readonly id: string; readonly first_timestamp: string; readonly last_timestamp: string };
    readonly track_duration_seconds: number;
  };
  readonly features: Readonly<Record<string, unknown>>;
  readonly matched: boolean;
  readonly matched_dossier: string | null;
  readonly matched_face: string | null;
  readonly matched_lists: readonly string[];
  readonly confidence: number;
  /** an alert under the camera's alert mode (not a FindFace field) */
  readonly alert: boolean;
  readonly candidates: ReadonlyArray<{ readonly dossier: string; readonly dossier_face: string; readonly watch_list: string; readonly confidence: number }>;
}

export interface EpisodePayload {
  readonly webhook_type: 'episodes';
  readonly event_type: 'episode_open' | 'episode_event' | 'episode_close';
  readonly id: string;
  readonly created_date: string;
  readonly last_event_date: string;
  readonly closed_date: string | null;
  readonly open: boolean;
  readonly events_count: number;
  readonly best_event: string;
  /** the event that caused this change, whole when this process saw it, else its id; null on a close */
  readonly last_event: EventPayload | string | null;
  readonly matched: boolean;
  readonly matched_dossier: string | null;
  readonly matched_lists: readonly string[];
  readonly cameras: readonly string[];
  readonly camera_groups: readonly string[];
}

/** A counter's record (the counters stage's output), as FindFace posts it. */
export interface CounterPayload {
  readonly webhook_type: 'counters';
  readonly event_type: 'counter_record';
  readonly id: string;
  readonly counter: string;
  readonly counter_name: string;
  readonly camera: string;
  readonly camera_group: string | null;
  readonly created_date: string;
  readonly faces_count: number;
  /** each face as FindFace's 4-point polygon [[x, y] × 4], clockwise from the top left */
  readonly faces_bbox: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** facestream counts faces only */
  readonly silhouettes_count: number;
  readonly silhouettes_bbox: readonly never[];
  /** where the counted full frame is kept in the frame store, or null */
  readonly fullframe: string | null;
}

export type Payload = EventPayload | EpisodePayload | CounterPayload;
export type PayloadOf<T extends WebhookType> = Extract<Payload, { webhook_type: T }>;

export type GroupOf = (camera: string) => string | undefined;

export function eventPayload(event: FaceEvent, groupOf: GroupOf): EventPayload {
  const { post, attributes } = event.embedding;
  const { face, frame } = post;
  const best = event.matched ? event.candidates.find((c) => c.dossier === event.dossier) : undefined;
  return {
    webhook_type: 'events',
    event_type: 'event_created',
    id: event.id,
    created_date: iso(frame.ts),
    camera: post.camera,
    camera_group: groupOf(post.camera) ?? null,
    bs_type: post.postType,
    frame: frame.frameRef ?? null,
    frame_coords_left: face.box.x1,
    frame_coords_top: face.box.y1,
    frame_coords_right: face.box.x2,
    frame_coords_bottom: face.box.y2,
    quality: face.quality,
    detection_score: face.score,
    scores: {
      quality: face.quality,
      track: { id: post.trackId, first_timestamp: iso(post.trackFirstTs), last_timestamp: iso(post.trackLastTs) },
      track_duration_seconds: (post.trackLastTs - post.trackFirstTs) / 1000,
    },
    features: attributes,
    matched: event.matched,
    matched_dossier: event.dossier,
    matched_face: best?.dossierFace ?? null,
    matched_lists: event.matched ? matchedWatchLists(event) : UNMATCHED_LISTS,
    confidence: event.confidence,
    alert: event.alert,
    candidates: event.candidates.map((c) => ({ dossier: c.dossier, dossier_face: c.dossierFace, watch_list: c.watchList, confidence: c.confidence })),
  };
}

const EPISODE_EVENT_TYPE = { open: 'episode_open', event: 'episode_event', close: 'episode_close' } as const;

/** `lastEvent`: the payload of the change's event when this process saw it (its watch lists come from there) */
export function episodePayload(change: EpisodeChange, groupOf: GroupOf, lastEvent: EventPayload | undefined, matchedLists: readonly string[]): EpisodePayload {
  const closed = change.kind === 'close';
  return {
    webhook_type: 'episodes',
    event_type: EPISODE_EVENT_TYPE[change.kind],
    id: change.episodeId,
    created_date: iso(change.startTs),
    last_event_date: iso(change.endTs),
    closed_date: closed ? iso(change.endTs) : null,
    open: !closed,
    events_count: change.eventsCount,
    best_event: change.bestEventId,
    last_event: lastEvent ?? change.eventId,
    matched: change.dossier !== null,
    matched_dossier: change.dossier,
    matched_lists: change.dossier === null ? UNMATCHED_LISTS : matchedLists,
    cameras: change.cameras,
    camera_groups: [...new Set(change.cameras.map(groupOf).filter((g): g is string => g !== undefined))],
  };
}

const polygon = (b: Box): Array<readonly [number, number]> => [
  [b.x1, b.y1],
  [b.x2, b.y1],
  [b.x2, b.y2],
  [b.x1, b.y2],
];

export function counterPayload(record: CounterRecord, groupOf: GroupOf): CounterPayload {
  return {
    webhook_type: 'counters',
    event_type: 'counter_record',
    id: record.id,
    counter: record.counter,
    counter_name: record.counterName,
    camera: record.camera,
    camera_group: record.cameraGroup ?? groupOf(record.camera) ?? null,
    created_date: iso(record.ts),
    faces_count: record.facesCount,
    faces_bbox: record.facesBbox.map(polygon),
    silhouettes_count: 0,
    silhouettes_bbox: [],
    fullframe: record.frameRef,
  };
}
