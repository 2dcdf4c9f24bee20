// Track stage: detections of a frame → face posts. Tracker and best-shot machines decide; this shell keeps
// their per-track state, turns decisions into FacePost records and forwards them in a deterministic order:
// posts of tracks that ended first (creation order), then posts of this frame's faces (face order).
// Tracks end in stream order only: a frame that comes after more than miss_interval (the tracker), the camera's
// idle marker (ingest found it quiet), its end of stream, or the end of input. No wall clock: a stall between
// ingest and here (a broker restart, detect reloading its models) holds frames up but splits no track.
import type { Box, FacePost, FrameDetections, RgbImage } from '../../schemas/records.ts';
import type { CameraIdle, Stage, StageContext, StageState } from '../runtime/stage.ts';
import type { BestShotConfig, TrackConfig } from './config.ts';
import type { CameraSettings } from '../cameras/settings.ts';
import type { CameraSettingsView } from '../cameras/settings-view.ts';
import { compileBestShot, initialBestShot, stepBestShot, type BestShotInput, type BestShotPost, type BestShotRules, type BestShotState } from './best-shot.ts';
import { createIouAppearanceTracker } from './iou-appearance-tracker.ts';
import { cropAround, POST_CROP_SCALE } from './post-crop.ts';
import { newSharedPixels } from '../../models/worker/shared-image.ts';
import { releaseFrame } from '../runtime/inproc/frame-pool.ts';
import type { Shot } from './best-shot.ts';
import type { Tracker, TrackInfo } from './tracker.ts';

/** Per confirmed track, for the analysis report (id switches need ground truth, so they are not known here). */
export interface TrackStats extends Pick<TrackInfo, 'camera' | 'firstTs' | 'lastTs' | 'firstT' | 'lastT' | 'frames'> {
  readonly trackId: string;
  readonly posts: number;
  readonly ended: boolean;
}

export interface TrackStage extends Stage<FrameDetections, FacePost> {
  /** Confirmed tracks so far, by camera then creation order. */
  trackStats(): readonly TrackStats[];
}

export interface TrackStageOptions {
  readonly track: TrackConfig;
  readonly bestShot: BestShotConfig;
  /** per-camera posting rules (mode, intervals, filters, ROI), read per record in place of `bestShot`; a change applies from the camera's next record */
  readonly settings?: Pick<CameraSettingsView, 'get'>;
  /** defaults to the IoU + appearance tracker */
  readonly tracker?: Tracker;
  readonly name?: string;
  /** keep TrackStats (one entry per confirmed track, never evicted): on for file analysis, off for long live runs */
  readonly keepTrackStats?: boolean;
  /** Sees, for every frame, the confirmed tracks it continued (per-frame boxes for reports like Valossa's). */
  readonly onTrackedFrame?: (frame: FrameDetections['frame'], tracked: ReadonlyArray<{ readonly trackId: string; readonly box: Box }>) => void;
}

/** What the track stage saves per camera. */
interface SavedCamera {
  readonly tracks: unknown;
  readonly shots: ReadonlyArray<readonly [trackId: string, state: BestShotState]>;
  readonly lastTs: number | null;
}

/** Name of the state this stage keeps (live tracks and best-shot candidates), stable across versions. */
export const TRACK_STATE_STORE = 'track-state';

function toPost(track: TrackInfo, p: BestShotPost): FacePost {
  return {
    camera: track.camera,
    trackId: track.id,
    postNo: p.postNo,
    postType: p.postType,
    frame: p.shot.frame,
    face: p.shot.face,
    // in shared memory: the model workers read a post's crop where it is, not from a second copy (shared-image.ts)
    crop: cropAround(p.shot.pixels, p.shot.face.box, POST_CROP_SCALE, newSharedPixels),
    trackFirstTs: track.firstTs,
    trackLastTs: track.lastTs,
    trackFirstT: track.firstT,
    trackLastT: track.lastT,
    trackFrames: track.frames,
  };
}

export function createTrackStage(options: TrackStageOptions): TrackStage {
  const rules = compileBestShot(options.bestShot);
  /** each camera's rules, compiled once per settings object (the view hands out a new one when they change) */
  const cameraRules = new WeakMap<CameraSettings, BestShotRules>();
  const rulesOf = (camera: string): BestShotRules => {
    const settings = options.settings?.get(camera);
    if (!settings) return rules;
    let r = cameraRules.get(settings);
    if (!r) cameraRules.set(settings, (r = compileBestShot(settings.bestShot)));
    return r;
  };
  const tracker = options.tracker ?? createIouAppearanceTracker(options.track);
  const keepStats = options.keepTrackStats ?? true;
  const shots = new Map<string, BestShotState>();
  /** camera of each track with a best-shot state, to save state per camera */
  const trackCamera = new Map<string, string>();
  const stats = new Map<string, TrackStats>();
  /** newest frame ts processed per camera: a frame seen again (a replay after a restart) is skipped */
  const lastTs = new Map<string, number>();
  /** cameras whose state changed since the state was last taken */
  const dirty = new Set<string>();

  /** Saved shots keep only their post crop, not the region they were seen in: all a post will cut from it. */
  const compact = (shot: Shot | null): Shot | null => (shot ? { ...shot, pixels: cropAround(shot.pixels, shot.face.box) } : null);

  /**
   * Best shots (window and overall, of every live track) hold the region they were seen in — in process the whole
   * frame — until they are posted or replaced; the post's crop is cut only then. Cutting it whenever a shot
   * became a best one instead cost ~1 ms of copies a 720p frame. Frames are counted here by the best shots that
   * hold them, and a frame no shot holds goes back to ingest's pool (releaseFrame) at once, or when its last
   * shot is dropped.
   */
  const held = new Map<RgbImage, number>();
  const hold = (shot: Shot | null): void => {
    if (shot) held.set(shot.pixels.image, (held.get(shot.pixels.image) ?? 0) + 1);
  };
  /** `current` is the frame being processed, released when its processing ends rather than here */
  const drop = (shot: Shot | null, current: RgbImage | null): void => {
    if (!shot) return;
    const image = shot.pixels.image;
    const n = (held.get(image) ?? 0) - 1;
    if (n > 0) {
      held.set(image, n);
      return;
    }
    held.delete(image);
    if (image !== current) releaseFrame(image);
  };
  /** the shots of `before` no longer in `after` let go of their frames */
  const replaced = (before: BestShotState | undefined, after: BestShotState | null, current: RgbImage | null): void => {
    hold(after?.windowBest ?? null);
    hold(after?.overallBest ?? null);
    drop(before?.windowBest ?? null, current);
    drop(before?.overallBest ?? null, current);
  };

  const state: StageState = {
    takeChanges() {
      const changes = [...dirty].sort().map((camera) => {
        const tracks = tracker.saveCamera(camera);
        const liveShots = [...shots].filter(([id]) => trackCamera.get(id) === camera);
        const saved: SavedCamera = {
          tracks,
          shots: liveShots.map(([id, st]) => [id, { ...st, windowBest: compact(st.windowBest), overallBest: compact(st.overallBest) }]),
          lastTs: lastTs.get(camera) ?? null,
        };
        return [camera, saved] as const;
      });
      dirty.clear();
      return changes;
    },
    restore(entries) {
      shots.clear();
      held.clear();
      trackCamera.clear();
      lastTs.clear();
      dirty.clear();
      const saved = entries as ReadonlyArray<readonly [string, SavedCamera]>;
      tracker.restore(saved.filter(([, s]) => s.tracks !== undefined).map(([camera, s]) => [camera, s.tracks]));
      for (const [camera, s] of saved) {
        for (const [id, st] of s.shots) {
          shots.set(id, st);
          trackCamera.set(id, camera);
        }
        if (s.lastTs !== null) lastTs.set(camera, s.lastTs);
      }
    },
  };

  function feed(track: TrackInfo, input: BestShotInput, current: RgbImage | null): FacePost[] {
    const before = shots.get(track.id);
    const { state, posts } = stepBestShot(before ?? initialBestShot, input, rulesOf(track.camera));
    dirty.add(track.camera);
    if (input.kind === 'end') {
      shots.delete(track.id);
      trackCamera.delete(track.id);
    } else {
      shots.set(track.id, state);
      trackCamera.set(track.id, track.camera);
    }
    // posts are cut (toPost) before a frame they came from can be released
    const out = posts.map((p) => toPost(track, p));
    replaced(before, input.kind === 'end' ? null : state, current);
    if (track.confirmed && keepStats) {
      const before = stats.get(track.id);
      stats.set(track.id, {
        trackId: track.id,
        camera: track.camera,
        firstTs: track.firstTs,
        lastTs: track.lastTs,
        firstT: track.firstT,
        lastT: track.lastT,
        frames: track.frames,
        posts: (before?.posts ?? 0) + posts.length,
        ended: input.kind === 'end',
      });
    }
    return out;
  }

  async function endTracks(ended: readonly TrackInfo[], ctx: StageContext<FacePost>): Promise<void> {
    for (const track of ended) {
      if (!track.confirmed) ctx.count('tracks_unconfirmed_dropped');
      for (const p of feed(track, { kind: 'end' }, null)) await ctx.forward(p);
    }
  }

  return {
    name: options.name ?? 'track',
    state,

    async process(records: readonly FrameDetections[], ctx: StageContext<FacePost>): Promise<void> {
      for (const fd of records) {
        const { camera, ts } = fd.frame;
        if (ts <= (lastTs.get(camera) ?? -Infinity)) {
          ctx.count('frames_replayed_skipped');
          continue;
        }
        lastTs.set(camera, ts);
        dirty.add(camera);
        const image = fd.pixels.image;
        const step = tracker.step(fd);
        options.onTrackedFrame?.(
          fd.frame,
          step.observed.filter((ob) => ob.track.confirmed).map((ob) => ({ trackId: ob.track.id, box: ob.face.box })),
        );
        await endTracks(step.ended, ctx);
        for (const ob of step.observed) {
          const posts = feed(ob.track, { kind: 'observe', shot: { frame: fd.frame, face: ob.face, pixels: fd.pixels }, confirmed: ob.track.confirmed }, image);
          for (const p of posts) await ctx.forward(p);
        }
        // no best shot holds this frame: its pixels may carry the next one
        if (!held.has(image)) releaseFrame(image);
      }
    },

    async idle({ camera, ts }: CameraIdle, ctx: StageContext<FacePost>): Promise<void> {
      // a marker from before the newest frame seen: a file read again after its ingest restarted
      if (ts < (lastTs.get(camera) ?? -Infinity)) {
        ctx.count('idle_replayed_skipped');
        return;
      }
      await endTracks(tracker.end(camera), ctx);
    },

    async flush(ctx: StageContext<FacePost>): Promise<void> {
      await endTracks(tracker.end(), ctx);
    },

    async endOfStream(camera: string, ctx: StageContext<FacePost>): Promise<void> {
      await endTracks(tracker.end(camera), ctx);
    },

    trackStats(): readonly TrackStats[] {
      return [...stats.values()].sort(
        (a, b) => (a.camera < b.camera ? -1 : a.camera > b.camera ? 1 : 0) || a.trackId.localeCompare(b.trackId, 'en', { numeric: true }),
      );
    },
  };
}
