// FindFace best-shot selection (video-worker "Real-Time Mode" / "Offline Mode") as a pure state machine per
// track: (state, observe | end) → (state, posts). The stage keeps one state per live track and drops it when
// the track ends, which is also what resets the every_interval=false quality threshold ("when the face leaves").
import type { DetectedFace, FrameInfo, ImageRegion, PostType } from '../../schemas/records.ts';
import type { BestShotConfig } from './config.ts';
import { boxArea, boxHeight, centreInside, parseRegion, type Region } from './box.ts';

export interface Shot {
  readonly frame: FrameInfo;
  readonly face: DetectedFace;
  /** pixels the post's crop is cut from when this shot is posted */
  readonly pixels: ImageRegion;
}

export interface BestShotPost {
  readonly shot: Shot;
  readonly postType: PostType;
  /** 1-based within the track */
  readonly postNo: number;
}

export interface BestShotState {
  readonly confirmed: boolean;
  /** stream time (t_s) the open realtime window began; null when no window is open */
  readonly windowStartT: number | null;
  readonly windowBest: Shot | null;
  readonly overallBest: Shot | null;
  /** quality of the last post; the every_interval=false threshold */
  readonly lastPostedQuality: number | null;
  readonly posts: number;
}

export type BestShotInput =
  | { readonly kind: 'observe'; readonly shot: Shot; readonly confirmed: boolean }
  | { readonly kind: 'end' };

/** Config with the ROI parsed once. */
export interface BestShotRules {
  readonly cfg: BestShotConfig;
  readonly roi: Region | null;
}

export function compileBestShot(cfg: BestShotConfig): BestShotRules {
  return { cfg, roi: parseRegion(cfg.roi) };
}

export const initialBestShot: BestShotState = {
  confirmed: false,
  windowStartT: null,
  windowBest: null,
  overallBest: null,
  lastPostedQuality: null,
  posts: 0,
};

/** FindFace's posting filters; a size bound of 0 is switched off. Face size is the box height in px. */
export function passesFilters(face: DetectedFace, rules: BestShotRules): boolean {
  const { cfg } = rules;
  const size = boxHeight(face.box);
  if (face.quality < cfg.filter_min_quality) return false;
  if (cfg.filter_min_face_size > 0 && size < cfg.filter_min_face_size) return false;
  if (cfg.filter_max_face_size > 0 && size > cfg.filter_max_face_size) return false;
  return centreInside(face.box, rules.roi);
}

/** Higher quality wins; ties go to the larger face, then to the earlier frame (so `a` wins a full tie). */
export function isBetterShot(a: Shot, b: Shot): boolean {
  if (a.face.quality !== b.face.quality) return a.face.quality > b.face.quality;
  const areaA = boxArea(a.face.box);
  const areaB = boxArea(b.face.box);
  if (areaA !== areaB) return areaA > areaB;
  return a.frame.t_s <= b.frame.t_s;
}

function better(current: Shot | null, candidate: Shot): Shot {
  return current === null || isBetterShot(candidate, current) ? candidate : current;
}

interface Step {
  state: BestShotState;
  posts: BestShotPost[];
}

function post(step: Step, shot: Shot, postType: PostType): void {
  const postNo = step.state.posts + 1;
  step.posts.push({ shot, postType, postNo });
  step.state = { ...step.state, posts: postNo, lastPostedQuality: shot.face.quality };
}

/** Posts the open window's best if the mode allows, and closes the window. */
function closeWindow(step: Step, cfg: BestShotConfig): void {
  const best = step.state.windowBest;
  const threshold = step.state.lastPostedQuality;
  const allowed = cfg.realtime_post_every_interval || threshold === null || (best !== null && best.face.quality > threshold);
  if (best !== null && allowed) post(step, best, 'realtime');
  step.state = { ...step.state, windowStartT: null, windowBest: null };
}

export function stepBestShot(state: BestShotState, input: BestShotInput, rules: BestShotRules): { state: BestShotState; posts: BestShotPost[] } {
  const { cfg } = rules;
  const step: Step = { state, posts: [] };
  if (input.kind === 'end') {
    if (state.confirmed) {
      if (cfg.overall_only) {
        if (state.overallBest !== null) post(step, state.overallBest, 'overall');
      } else {
        closeWindow(step, cfg);
      }
    }
    return step;
  }

  const { shot } = input;
  const t = shot.frame.t_s;
  // A window ends when a face arrives at or after its end; unconfirmed tracks keep collecting instead,
  // since they may not post yet.
  const open = step.state.windowStartT;
  if (!cfg.overall_only && step.state.confirmed && open !== null && t - open >= cfg.realtime_post_interval) closeWindow(step, cfg);

  if (passesFilters(shot.face, rules)) {
    const s = step.state;
    step.state = {
      ...s,
      windowStartT: s.windowStartT ?? t,
      windowBest: better(s.windowBest, shot),
      overallBest: better(s.overallBest, shot),
    };
  }

  if (input.confirmed && !step.state.confirmed) {
    step.state = { ...step.state, confirmed: true };
    if (!cfg.overall_only && cfg.realtime_post_first_immediately && step.state.windowBest !== null) closeWindow(step, cfg);
  }
  return step;
}
