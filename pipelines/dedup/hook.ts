// Event deduplication where a camera group's events meet: the episodes stage (one instance per episode scope reads
// every camera's events, DESIGN.md §1) calls mark() per event and writes the verdict into that event's change
// (EpisodeChange.duplicateOf). The state (each group's kept events of its last interval) is saved and restored with
// the episodes stage's own, so a restart goes on with the same references.
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { DedupGroups } from './groups.ts';
import { dedupEvent, emptyDedup, type DedupEvent, type DedupState } from './rules.ts';

/** What the rule reads of a face event. */
export const dedupEventOf = (e: FaceEvent): DedupEvent => ({
  id: e.id,
  ts: e.embedding.post.frame.ts,
  dossier: e.matched ? e.dossier : null,
  // a copy: a decoded record's vector may be a view into its whole message, which saved state would carry along
  vector: e.embedding.vector.slice(),
  quality: e.embedding.post.face.quality,
});

/** Saved form: [group, state] pairs (structured-clone safe: vectors stay Float32Array). */
export type SavedDedup = readonly (readonly [string, DedupState])[];

export interface EventDedup {
  /** The kept event `event` duplicates, or null (kept, or its camera's group does not deduplicate). */
  mark(event: FaceEvent): string | null;
  save(): SavedDedup;
  restore(saved: SavedDedup | undefined): void;
}

export function createEventDedup(o: { readonly groups: DedupGroups; readonly threshold: number }): EventDedup {
  const states = new Map<string, DedupState>();
  return {
    mark(event) {
      const group = o.groups.forCamera(event.embedding.post.camera);
      if (group === null) return null;
      const step = dedupEvent(states.get(group.group) ?? emptyDedup, dedupEventOf(event), { intervalMs: group.intervalMs, threshold: o.threshold });
      states.set(group.group, step.state);
      return step.duplicateOf;
    },
    save: () => [...states],
    restore(saved) {
      states.clear();
      for (const [group, state] of saved ?? []) states.set(group, state);
    },
  };
}

/** The changes with the verdict on `eventId` written into those it caused. */
export function withDuplicateOf(changes: readonly EpisodeChange[], eventId: string, duplicateOf: string | null): readonly EpisodeChange[] {
  if (duplicateOf === null) return changes;
  return changes.map((c) => (c.eventId === eventId ? { ...c, duplicateOf } : c));
}
