// Retro-matching: when a face is added to a dossier, the events of the last `window_hours` are searched for it with
// the search by face over history (searchSimilarEvents, the same query as /search/events), and every event at least
// `threshold` similar becomes a retro match of that dossier (stores/clickhouse/retro-matches.ts), unless the event
// already matched this dossier live at least as confidently.
//
// It runs in the background: a scan costs ~1 s per 1.3 M events in the window (docs/API.md), which an upload should
// not wait for. `idle()` resolves once every search started so far has ended: tests wait on it, and closing the app
// does, so no scan outlives the ClickHouse client. A failed search is reported to `onError` and recorded nowhere.
import type { ClickHouseClient } from '@clickhouse/client';
import { recordRetroMatches, type RetroMatch } from '../../stores/clickhouse/retro-matches.ts';
import { searchSimilarEvents, type SimilarEvent } from '../../stores/clickhouse/similar-events.ts';
import type { RetroMatchConfig } from './config.ts';

/** A face just added to a dossier, with what the search and the visibility of its matches need. */
export interface EnrolledFace {
  readonly faceId: number;
  readonly dossierId: number;
  /** the dossier's watch lists: who may see the retro matches */
  readonly watchListIds: readonly number[];
  readonly modelId: string;
  /** L2-normalised */
  readonly vector: Float32Array;
}

export interface RetroMatcherOptions {
  readonly clickhouse: ClickHouseClient;
  readonly config: RetroMatchConfig;
  /** `match.confidence_threshold`: the threshold when the config names none */
  readonly confidenceThreshold: number;
  /** ms since the epoch: the end of the window and the time a match was found */
  readonly clock: () => number;
  readonly onError: (err: unknown, face: EnrolledFace) => void;
}

export interface RetroMatcher {
  /** Starts the search for `face` (nothing when disabled); resolves to the number of retro matches recorded. */
  afterEnrolment(face: EnrolledFace): Promise<number>;
  /** Resolves when every search started so far has ended. */
  idle(): Promise<void>;
}

/** Whether a hit is news: not an event already matched live to this dossier at least as confidently. */
export function isRetroMatch(hit: SimilarEvent, dossier: string): boolean {
  return !(hit.event.matched && hit.event.dossier === dossier && hit.event.confidence >= hit.confidence);
}

/** Searches the window for `face` and records its retro matches; returns how many. */
export async function retroMatch(o: Omit<RetroMatcherOptions, 'onError'>, face: EnrolledFace): Promise<number> {
  const now = o.clock();
  const dossier = String(face.dossierId);
  const hits = await searchSimilarEvents(o.clickhouse, {
    vector: face.vector,
    modelId: face.modelId,
    threshold: o.config.threshold ?? o.confidenceThreshold,
    filter: { from: now - o.config.window_hours * 3600_000, to: now },
    limit: o.config.limit,
  });
  const matches = hits
    .filter((h) => isRetroMatch(h, dossier))
    .map(
      (h): RetroMatch => ({
        eventId: h.event.id,
        eventTs: h.event.ts,
        dossier,
        dossierFace: String(face.faceId),
        watchLists: face.watchListIds.map(String),
        confidence: h.confidence,
        foundAt: now,
      }),
    );
  await recordRetroMatches(o.clickhouse, matches);
  return matches.length;
}

export function createRetroMatcher(o: RetroMatcherOptions): RetroMatcher {
  const running = new Set<Promise<number>>();
  return {
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
