// Pure match decisions: the event id, and which candidate (if any) the event matches under the thresholds of the
// watch lists, of its camera and camera group, and the global one.
import { hash } from 'node:crypto';
import type { MatchCandidate, WatchListRule } from '../../schemas/generated/avro-types.ts';
import type { FoundCandidate } from './face-index.ts';

/**
 * Deterministic event id: the same post always gets the same id, so a replayed or re-processed post updates
 * its event instead of adding one (sha1 hex, 16 chars = 64 bits, FindFace ids are 64-bit too).
 */
export function eventId(camera: string, trackId: string, postNo: number): string {
  return hash('sha1', `${camera}\u0000${trackId}\u0000${postNo}`).slice(0, 16);
}

export interface MatchDecision {
  readonly matched: boolean;
  readonly dossier: string | null;
  /** the matched candidate's, else the best candidate's, 0 without candidates */
  readonly confidence: number;
}

/** What the rule needs of the event's camera. */
export interface CameraMatching {
  /** its camera group, null when unknown (then only lists without camera groups apply) */
  readonly group: string | null;
  /** its own threshold, else its group's; null = none of them set */
  readonly threshold: number | null;
}

/** A camera the matcher knows nothing of: the global threshold, and the lists that apply everywhere. */
export const UNKNOWN_CAMERA: CameraMatching = { group: null, threshold: null };

/** A list without a rule (a --watchlist folder, a record without rules): inherits every threshold, applies everywhere. */
export const openRule = (id: string): WatchListRule => ({ id, confidenceThreshold: null, cameraGroups: [] });

/** FindFace's override chain: the list's threshold, else the camera's (or its group's), else the global one. */
export function listThreshold(rule: WatchListRule, camera: CameraMatching, global: number): number {
  return rule.confidenceThreshold ?? camera.threshold ?? global;
}

/** A list with camera groups applies only to events of cameras in them; one without, to every camera. */
export function listApplies(rule: WatchListRule, camera: CameraMatching): boolean {
  return rule.cameraGroups.length === 0 || (camera.group !== null && rule.cameraGroups.includes(camera.group));
}

/** The ids of `rules` through which `confidence` is a match on `camera`. */
export function passedLists(confidence: number, rules: readonly WatchListRule[], camera: CameraMatching, global: number): string[] {
  const passed: string[] = [];
  for (const r of rules) if (listApplies(r, camera) && confidence >= listThreshold(r, camera, global)) passed.push(r.id);
  return passed;
}

/** A candidate as the index found it, with the rules of its dossier's lists (the candidate's watchList alone if unknown). */
export interface RuledCandidate {
  readonly candidate: FoundCandidate;
  readonly rules: readonly WatchListRule[];
}

/**
 * `found` best first: each candidate with its lists and the lists it passed; the event matches the most similar
 * candidate that passed at least one list (not necessarily the first), else nothing.
 */
export function decideMatch(found: readonly RuledCandidate[], camera: CameraMatching, global: number): { candidates: MatchCandidate[]; decision: MatchDecision } {
  // fields listed, not spread: this runs for every candidate of every event (a spread copy was half its cost)
  const candidates = found.map(
    ({ candidate: c, rules }): MatchCandidate => ({
      dossier: c.dossier,
      dossierFace: c.dossierFace,
      watchList: c.watchList,
      watchLists: rules.map((r) => r.id),
      matchedWatchLists: passedLists(c.confidence, rules, camera, global),
      confidence: c.confidence,
    }),
  );
  const match = candidates.find((c) => c.matchedWatchLists.length > 0);
  const decision = match
    ? { matched: true, dossier: match.dossier, confidence: match.confidence }
    : { matched: false, dossier: null, confidence: candidates[0]?.confidence ?? 0 };
  return { candidates, decision };
}

/** The decision without watch-list rules or cameras (`analyze`, `identify`: no identity store): the global threshold. */
export function decideGlobal(found: readonly FoundCandidate[], global: number): { candidates: MatchCandidate[]; decision: MatchDecision } {
  return decideMatch(found.map((candidate) => ({ candidate, rules: [openRule(candidate.watchList)] })), UNKNOWN_CAMERA, global);
}
