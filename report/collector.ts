// Collects what an analysis produces (taps on the pipeline's topics) and turns it into the report.
import type { EpisodeChange, FaceEvent, Frame, FrameDetections, FrameInfo } from '../schemas/records.ts';
import type { Report, ReportEpisode, ReportEvent, ReportTrack, Rejection } from './schema.ts';
import { faceFields, round } from './face-fields.ts';
import { toValossa, type TrackedFrame } from './valossa.ts';

export interface TrackedFace {
  readonly trackId: string;
  readonly box: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
}

export interface TrackSummary {
  readonly trackId: string;
  readonly camera: string;
  readonly firstT: number;
  readonly lastT: number;
  readonly frames: number;
}

export interface ReportContext {
  readonly version: string;
  readonly source: Report['source'];
  readonly watchlist: Report['watchlist'];
  readonly tracks: readonly TrackSummary[];
  readonly elapsedS: number;
  readonly corruptFrames: number;
  readonly missingFrames: number;
  readonly deadLetters: number;
  readonly matchThreshold: number;
  readonly normalQuality: number;
  readonly now: Date;
}

/** A face event as the report shows it (episode filled in later). Pure. */
export function toReportEvent(event: FaceEvent): ReportEvent {
  const { post } = event.embedding;
  const { width, height } = post.frame;
  return {
    id: event.id,
    camera: post.camera,
    ts: new Date(post.frame.ts).toISOString(),
    t_s: round(post.frame.t_s),
    track_id: post.trackId,
    post_type: post.postType,
    post_no: post.postNo,
    ...faceFields(post.face, post.frame, event.embedding.attributes, event),
    frame_width: width,
    frame_height: height,
    episode: null,
    fresh_embedding: event.embedding.fresh,
  };
}

export class AnalysisCollector {
  frames = 0;
  faces = 0;
  /** confirmed tracks seen so far */
  readonly trackIds = new Set<string>();
  private readonly events: ReportEvent[] = [];
  private readonly episodes = new Map<string, ReportEpisode>();
  private readonly episodeOfEvent = new Map<string, string>();
  private readonly tracked: TrackedFrame[] = [];

  /** seconds from the start of the last frame analysed */
  lastFrameT = 0;

  onFrame = (frame: Frame): void => {
    this.frames++;
    this.lastFrameT = frame.t_s;
  };

  onDetections = (fd: FrameDetections): void => {
    this.faces += fd.faces.length;
  };

  onTrackedFrame = (frame: FrameInfo, faces: readonly TrackedFace[]): void => {
    const { width, height } = frame;
    for (const f of faces) this.trackIds.add(f.trackId);
    this.tracked.push({
      t_s: frame.t_s,
      faces: faces.map((f) => ({ trackId: f.trackId, x: f.box.x1 / width, y: f.box.y1 / height, w: (f.box.x2 - f.box.x1) / width, h: (f.box.y2 - f.box.y1) / height })),
    });
  };

  onEvent = (event: FaceEvent): ReportEvent => {
    const e = toReportEvent(event);
    this.events.push(e);
    return e;
  };

  onEpisodeChange = (change: EpisodeChange): void => {
    const prev = this.episodes.get(change.episodeId);
    const eventIds = prev ? [...prev.event_ids] : [];
    if (change.eventId && !eventIds.includes(change.eventId)) {
      eventIds.push(change.eventId);
      this.episodeOfEvent.set(change.eventId, change.episodeId);
    }
    this.episodes.set(change.episodeId, {
      id: change.episodeId,
      dossier: change.dossier,
      start_s: round(change.startT),
      end_s: round(change.endT),
      events_count: change.eventsCount,
      best_event_id: change.bestEventId,
      event_ids: eventIds,
      cameras: [...change.cameras],
    });
  };

  get matchedEvents(): number {
    return this.events.filter((e) => e.matched).length;
  }

  build(ctx: ReportContext): Report {
    const events = this.events.map((e) => ({ ...e, episode: this.episodeOfEvent.get(e.id) ?? null }));
    const episodes = [...this.episodes.values()].sort((a, b) => a.start_s - b.start_s || a.id.localeCompare(b.id));
    const eventsPerTrack = new Map<string, number>();
    for (const e of events) eventsPerTrack.set(e.track_id, (eventsPerTrack.get(e.track_id) ?? 0) + 1);
    const tracks: ReportTrack[] = ctx.tracks.map((t) => ({
      id: t.trackId,
      camera: t.camera,
      first_s: round(t.firstT),
      last_s: round(t.lastT),
      frames: t.frames,
      events: eventsPerTrack.get(t.trackId) ?? 0,
    }));
    const { source } = ctx;
    const frameInterval = source.sampled_fps > 0 ? 1 / source.sampled_fps : 1 / source.fps;
    const rejected: Rejection[] = [...ctx.watchlist.rejected];
    return {
      facestream: { version: ctx.version, created: ctx.now.toISOString() },
      source,
      watchlist: { ...ctx.watchlist, rejected },
      summary: {
        frames: this.frames,
        faces: this.faces,
        tracks: tracks.length,
        events: events.length,
        matched_events: this.matchedEvents,
        episodes: episodes.length,
        corrupt_frames: ctx.corruptFrames,
        missing_frames: ctx.missingFrames,
        dead_letters: ctx.deadLetters,
        elapsed_s: round(ctx.elapsedS, 2),
        speed_x_realtime: ctx.elapsedS > 0 ? round(source.duration_s / ctx.elapsedS, 2) : 0,
      },
      events,
      episodes,
      tracks,
      valossa: toValossa({
        events,
        episodes,
        tracks,
        frames: this.tracked,
        fps: source.fps,
        durationS: source.duration_s,
        frameInterval,
        matchThreshold: ctx.matchThreshold,
        normalQuality: ctx.normalQuality,
        generator: `facestream ${ctx.version}`,
      }),
    };
  }
}
