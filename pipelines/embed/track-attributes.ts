// Which attributes describe the person and which the shot. Gender, age and liveness are the same on every face of
// a track, so they are extracted from its first post and again only from a post whose face is clearly better
// (quality up by `attributes_reextract_quality_margin`): they stay those of the best face extracted so far, and a
// camera does not run the heads on every post of every track. Head pose, eyes and emotions change from shot to shot
// and are computed for every post; head pose, by default, is the 68-landmark estimate detect already made.
import type { AttributesConfig, EmbedConfig } from './config.ts';
import type { FaceAttributes, FacePost } from '../../schemas/records.ts';
import { TrackStates, type TrackKey } from './track-states.ts';

type Head = keyof AttributesConfig;

export const TRACK_HEADS: readonly Head[] = ['gender', 'age', 'liveness'];

const none: AttributesConfig = { gender: false, age: false, emotions: false, eyes: false, liveness: false, headpose: false };

/** `which` with only `heads` left on; null when none of them is on. */
function only(which: AttributesConfig, heads: (h: Head) => boolean): AttributesConfig | null {
  const out = { ...none };
  for (const h of Object.keys(none) as Head[]) out[h] = which[h] && heads(h);
  return Object.values(out).some(Boolean) ? out : null;
}

export interface AttributePlan {
  /** the person's heads to run (when a track's attributes are extracted), or null */
  readonly track: AttributesConfig | null;
  /** the shot's heads to run on every post, or null */
  readonly shot: AttributesConfig | null;
  /** head pose copied from the detection's landmark estimate instead of running the pose model */
  readonly poseFromLandmarks: boolean;
}

export function planAttributes(which: AttributesConfig, cfg: Pick<EmbedConfig, 'headpose_source'>): AttributePlan {
  const poseFromLandmarks = which.headpose && cfg.headpose_source === 'landmarks';
  return {
    track: only(which, (h) => TRACK_HEADS.includes(h)),
    shot: only(which, (h) => !TRACK_HEADS.includes(h) && !(h === 'headpose' && poseFromLandmarks)),
    poseFromLandmarks,
  };
}

export interface TrackAttributesState {
  readonly attributes: FaceAttributes;
  /** quality of the face they were extracted from */
  readonly quality: number;
  readonly lastTs: number;
}

type AttrPost = Pick<FacePost, 'face' | 'frame'> & TrackKey;

/** Extract when the track has none yet, or when this face is better by at least `margin` than the one extracted. */
export function decideTrackAttributes(state: TrackAttributesState | undefined, post: Pick<FacePost, 'face'>, margin: number): 'extract' | 'reuse' {
  return state === undefined || post.face.quality >= state.quality + margin ? 'extract' : 'reuse';
}

/** A track's person attributes: `decide`, then `extracted(...)` with the heads' result or `reuse(...)`. */
export class TrackAttributes extends TrackStates<TrackAttributesState> {
  constructor(private readonly margin: number) {
    super();
  }

  decide(post: AttrPost): 'extract' | 'reuse' {
    return decideTrackAttributes(this.get(post), post, this.margin);
  }

  extracted(post: AttrPost, attributes: FaceAttributes): FaceAttributes {
    this.set(post, { attributes, quality: post.face.quality, lastTs: post.frame.ts });
    return attributes;
  }

  /** The attributes to reuse for `post`; throws if `decide` did not say 'reuse'. */
  reuse(post: AttrPost): FaceAttributes {
    const st = this.get(post);
    if (st === undefined) throw new Error(`no attributes to reuse for track ${post.trackId}`);
    this.set(post, { ...st, lastTs: post.frame.ts });
    return st.attributes;
  }
}
