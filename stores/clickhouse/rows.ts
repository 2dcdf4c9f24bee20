// Records → ClickHouse rows (JSONEachRow objects), pure. Column meanings: migrations/0001_face_events.sql (and 0009,
// alert; 0010, device attributes; 0011, duplicate_of) and 0002_episodes.sql.
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';

/** ms since the epoch → a DateTime64(3, 'UTC') literal ('YYYY-MM-DD hh:mm:ss.sss'), unambiguous in every text format */
export function dateTime64(ms: number): string {
  return new Date(Math.round(ms)).toISOString().slice(0, 23).replace('T', ' ');
}

/** float32 values written with 9 significant digits (enough to round-trip a float32, shorter than a double's 17) */
function float32s(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number((values[i] as number).toPrecision(9));
  return out;
}

export interface FaceEventRow {
  readonly id: string;
  readonly version: number;
  readonly ts: string;
  readonly t_s: number;
  readonly camera: string;
  readonly camera_group: string;
  readonly track_id: string;
  readonly post_no: number;
  readonly post_type: string;
  readonly frame_seq: number;
  readonly frame_ref: string;
  readonly frame_width: number;
  readonly frame_height: number;
  readonly track_first_ts: string;
  readonly track_last_ts: string;
  readonly track_frames: number;
  readonly matched: boolean;
  readonly dossier: string;
  readonly watch_lists: readonly string[];
  readonly confidence: number;
  readonly alert: boolean;
  readonly candidate_dossiers: readonly string[];
  readonly candidate_dossier_faces: readonly string[];
  readonly candidate_watch_lists: readonly string[];
  readonly candidate_confidences: readonly number[];
  readonly quality: number;
  readonly detector_score: number;
  readonly sharpness: number;
  readonly bbox_x1: number;
  readonly bbox_y1: number;
  readonly bbox_x2: number;
  readonly bbox_y2: number;
  readonly pose_yaw: number;
  readonly pose_pitch: number;
  readonly pose_roll: number;
  readonly gender: string;
  readonly gender_confidence: number;
  readonly age: number | null;
  readonly emotion: string;
  readonly emotion_confidence: number;
  readonly eyes: string;
  readonly eyes_confidence: number;
  readonly liveness: string;
  readonly liveness_confidence: number;
  readonly headpose_yaw: number | null;
  readonly headpose_pitch: number | null;
  readonly headpose_roll: number | null;
  readonly model_id: string;
  readonly fresh: boolean;
  readonly embedding: readonly number[];
  readonly episode_id: string;
  readonly duplicate_of: string;
  readonly device_vendor: string;
  readonly device_event_type: string;
  readonly device_name: string;
  readonly device_target_id: string;
  readonly device_age: string;
  readonly device_sex: string;
  readonly device_glasses: string;
  readonly device_mask: string;
}

/**
 * The watch lists a matched event matched through: every list of the matched dossier whose rule it passed
 * (pipelines/match/decide.ts); a record written before MatchCandidate.matchedWatchLists: the candidate's watchList.
 */
export function matchedWatchLists(event: FaceEvent): string[] {
  if (!event.matched || event.dossier === null) return [];
  const lists = event.candidates.filter((c) => c.dossier === event.dossier).flatMap((c) => (c.matchedWatchLists.length > 0 ? c.matchedWatchLists : [c.watchList]));
  return [...new Set(lists)];
}

export interface FaceEventRowContext {
  /** the camera's group when the event was written ('' when unknown) */
  readonly cameraGroup?: string;
  /** the event's episode when already known ('' when not) */
  readonly episodeId?: string;
  /** the kept event it repeats, when already known ('' when not, or kept) */
  readonly duplicateOf?: string;
}

export function faceEventRow(event: FaceEvent, context: FaceEventRowContext = {}): FaceEventRow {
  const { post, attributes: a } = event.embedding;
  const { face, frame } = post;
  const d = post.device;
  return {
    id: event.id,
    version: 0,
    ts: dateTime64(frame.ts),
    t_s: frame.t_s,
    camera: post.camera,
    camera_group: context.cameraGroup ?? '',
    track_id: post.trackId,
    post_no: post.postNo,
    post_type: post.postType,
    frame_seq: frame.seq,
    frame_ref: frame.frameRef ?? '',
    frame_width: frame.width,
    frame_height: frame.height,
    track_first_ts: dateTime64(post.trackFirstTs),
    track_last_ts: dateTime64(post.trackLastTs),
    track_frames: post.trackFrames,
    matched: event.matched,
    dossier: event.matched ? (event.dossier ?? '') : '',
    watch_lists: matchedWatchLists(event),
    confidence: event.confidence,
    alert: event.alert,
    candidate_dossiers: event.candidates.map((c) => c.dossier),
    candidate_dossier_faces: event.candidates.map((c) => c.dossierFace),
    candidate_watch_lists: event.candidates.map((c) => c.watchList),
    candidate_confidences: event.candidates.map((c) => c.confidence),
    quality: face.quality,
    detector_score: face.score,
    sharpness: face.sharpness,
    bbox_x1: face.box.x1,
    bbox_y1: face.box.y1,
    bbox_x2: face.box.x2,
    bbox_y2: face.box.y2,
    pose_yaw: face.pose.yaw,
    pose_pitch: face.pose.pitch,
    pose_roll: face.pose.roll,
    gender: a.gender?.name ?? '',
    gender_confidence: a.gender?.confidence ?? 0,
    age: a.age ?? null,
    emotion: a.emotions?.name ?? '',
    emotion_confidence: a.emotions?.confidence ?? 0,
    eyes: a.eyes?.name ?? '',
    eyes_confidence: a.eyes?.confidence ?? 0,
    liveness: a.liveness?.name ?? '',
    liveness_confidence: a.liveness?.confidence ?? 0,
    headpose_yaw: a.headpose?.yaw ?? null,
    headpose_pitch: a.headpose?.pitch ?? null,
    headpose_roll: a.headpose?.roll ?? null,
    model_id: event.embedding.modelId,
    fresh: event.embedding.fresh,
    embedding: float32s(event.embedding.vector),
    episode_id: context.episodeId ?? '',
    duplicate_of: context.duplicateOf ?? '',
    device_vendor: d?.vendor ?? '',
    device_event_type: d?.eventType ?? '',
    device_name: d?.deviceName ?? '',
    device_target_id: d?.targetId ?? '',
    device_age: d?.age ?? '',
    device_sex: d?.sex ?? '',
    device_glasses: d?.glasses ?? '',
    device_mask: d?.mask ?? '',
  };
}

export interface EpisodeRow {
  readonly id: string;
  readonly version: number;
  readonly scope: string;
  readonly last_change: string;
  readonly closed: boolean;
  readonly last_event_id: string;
  readonly best_event_id: string;
  readonly events_count: number;
  readonly dossier: string;
  readonly cameras: readonly string[];
  readonly start_ts: string;
  readonly end_ts: string;
  readonly start_t: number;
  readonly end_t: number;
}

/**
 * Version of an episode's row: grows with every change of the episode (events are only added, a close comes
 * last with the same count), equal for a replayed change.
 */
export function episodeVersion(change: EpisodeChange): number {
  return change.eventsCount * 2 + (change.kind === 'close' ? 1 : 0);
}

export function episodeRow(change: EpisodeChange): EpisodeRow {
  return {
    id: change.episodeId,
    version: episodeVersion(change),
    scope: change.scope,
    last_change: change.kind,
    closed: change.kind === 'close',
    last_event_id: change.eventId ?? '',
    best_event_id: change.bestEventId,
    events_count: change.eventsCount,
    dossier: change.dossier ?? '',
    cameras: [...change.cameras],
    start_ts: dateTime64(change.startTs),
    end_ts: dateTime64(change.endTs),
    start_t: change.startT,
    end_t: change.endT,
  };
}

export interface EpisodeEventRow {
  readonly event_id: string;
  readonly episode_id: string;
  readonly duplicate_of: string;
  readonly ts: string;
}

/** The event → episode link a change carries; null for a close. */
export function episodeEventRow(change: EpisodeChange): EpisodeEventRow | null {
  if (change.eventId === null) return null;
  return { event_id: change.eventId, episode_id: change.episodeId, duplicate_of: change.duplicateOf ?? '', ts: dateTime64(change.endTs) };
}
