// Retro-matching: when a face is added to a dossier, the events of the last `window_hours` are searched for it with
// the search by face over history (searchSimilarEvents, the same query as /search/events), and an event becomes a
// retro match of that dossier when it passes at least one of the dossier's watch lists under the live matcher's rule
// (pipelines/match/decide.ts: the list's threshold, else the event's camera's or its group's, else the global one;
// a list with camera groups only for events of cameras in them), unless the event already matched this dossier live
// at least as confidently. The match's watch lists are the lists it passed, so only their readers see it.
//
// It runs in the background: a scan costs ~1 s per 1.3 M events in the window (docs/API.md), which an upload should
// not wait for. `idle()` resolves once every search started so far has ended: tests wait on it, and closing the app
// does, so no scan outlives the ClickHouse client. A failed search is reported to `onError` and recorded nowhere.
import type { ClickHouseClient } from '@clickhouse/client';
import { listApplies, listThreshold, passedLists, UNKNOWN_CAMERA, type CameraMatching } from '../../pipelines/match/decide.ts';
import type { WatchListRule } from '../../schemas/generated/avro-types.ts';
import { recordRetroMatches, type RetroMatch } from '../../stores/clickhouse/retro-matches.ts';
import { searchSimilarEvents } from '../../stores/clickhouse/similar-events.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { cameraMatchThresholds } from '../../stores/postgres/repositories/cameras.ts';
import type { RetroMatchConfig } from './config.ts';

/** A face just added to a dossier, with what the search and the match rule need. */
export interface EnrolledFace {
  readonly faceId: number;
  readonly dossierId: number;
  /** the rules of the dossier's active watch lists, as the live matcher holds them (the `dossiers` records') */
  readonly rules: readonly WatchListRule[];
  readonly modelId: string;
  /** L2-normalised */
  readonly vector: Float32Array;
}

export interface RetroMatcherOptions {
  readonly clickhouse: ClickHouseClient;
  /** the identity store: the cameras' groups and thresholds */
  readonly db: Queryable;
  readonly config: RetroMatchConfig;
  /** `match.confidence_threshold`: the global threshold when the config names none */
  readonly confidenceThreshold: number;
  /** ms since the epoch: the end of the window and the time a match was found */
  readonly clock: () => number;
  readonly onError: (err: unknown, face: EnrolledFace) => void;
}

export interface RetroMatcher {
  /** `api.retro_match.enabled`: callers skip gathering what a search would need when it is off */
  readonly enabled: boolean;
  /** Starts the search for `face` (nothing when disabled); resolves to the number of retro matches recorded. */
  afterEnrolment(face: EnrolledFace): Promise<number>;
  /** Resolves when every search started so far has ended. */
  idle(): Promise<void>;
}

/** Every camera of the identity store by id (as events name it), as the match rule sees it. */
async function cameraMatchings(db: Queryable): Promise<Map<string, CameraMatching>> {
  const cameras = await cameraMatchThresholds(db);
  return new Map(cameras.map((c) => [String(c.id), { group: String(c.camera_group_id), threshold: c.confidence_threshold }]));
}

/** The lowest threshold through which any of `rules` matches on `camera`; Infinity when none applies there. */
function lowestThreshold(rules: readonly WatchListRule[], camera: CameraMatching, global: number): number {
  let lowest = Infinity;
  for (const rule of rules) if (listApplies(rule, camera)) lowest = Math.min(lowest, listThreshold(rule, camera, global));
  return lowest;
}

/** Above any cosine similarity: the search's threshold for a camera on which no list applies. */
const NEVER = 2;

/** Searches the window for `face` and records its retro matches; returns how many. */
export async function retroMatch(o: Omit<RetroMatcherOptions, 'onError'>, face: EnrolledFace): Promise<number> {
  const now = o.clock();
  const dossier = String(face.dossierId);
  const global = o.config.threshold ?? o.confidenceThreshold;
  const cameras = await cameraMatchings(o.db);
  // Each camera's events are searched at the lowest threshold a list passes on it, so that every hit is a match
  // and `limit` counts matches. An event of a camera no longer in the store is judged as the live matcher judges
  // an unknown camera.
  const cameraThresholds = new Map([...cameras].map(([id, camera]) => [id, Math.min(NEVER, lowestThreshold(face.rules, camera, global))]));
  const threshold = Math.min(NEVER, lowestThreshold(face.rules, UNKNOWN_CAMERA, global));
  if (threshold === NEVER && [...cameraThresholds.values()].every((t) => t === NEVER)) return 0;
  const hits = await searchSimilarEvents(o.clickhouse, {
    vector: face.vector,
    modelId: face.modelId,
    threshold,
    cameraThresholds,
    // an event already matched live to this dossier at least as confidently is no news
    notMatchedTo: dossier,
    filter: { from: now - o.config.window_hours * 3600_000, to: now },
    limit: o.config.limit,
  });
  const matches = hits.flatMap((h): RetroMatch[] => {
    const watchLists = passedLists(h.confidence, face.rules, cameras.get(h.event.camera) ?? UNKNOWN_CAMERA, global);
    if (watchLists.length === 0) return [];
    return [{ eventId: h.event.id, eventTs: h.event.ts, dossier, dossierFace: String(face.faceId), watchLists, confidence: h.confidence, foundAt: now }];
  });
  await recordRetroMatches(o.clickhouse, matches);
  return matches.length;
}

export function createRetroMatcher(o: RetroMatcherOptions): RetroMatcher {
  const running = new Set<Promise<number>>();
  return {
    enabled: o.config.enabled,
    afterEnrolment(face) {
      if (!o.config.enabled) return Promise.resolve(0);
      const run = retroMatch(o, face).catch((err: unknown) => (o.onError(err, face), 0));
      running.add(run);
      void run.finally(() => running.delete(run));
      return run;
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
