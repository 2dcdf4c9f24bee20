// The relay's changes to subscribers in this process (the embedded topology: the API and the match stage in one
// process). It keeps the latest record of each face as the compacted topic does, so a subscriber that joins late
// first gets every face held, then the changes as they come.
import type { DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';
import type { DossierFace } from '../../schemas/generated/avro-types.ts';
import type { DossierPublisher } from './publisher.ts';

export type DossierSubscriber = (change: DossierFaceChange) => void;

export interface InProcessDossierPublisher extends DossierPublisher {
  /** Calls `subscriber` with every face held now, then with each change published; returns the unsubscribe. */
  subscribe(subscriber: DossierSubscriber): () => void;
  /** faces held */
  readonly size: number;
}

export function createInProcessDossierPublisher(): InProcessDossierPublisher {
  const held = new Map<string, DossierFace>();
  const subscribers = new Set<DossierSubscriber>();
  return {
    target: 'in-process subscribers',
    get size() {
      return held.size;
    },
    publish(changes: readonly DossierFaceChange[]): Promise<void> {
      for (const change of changes) {
        if (change.value === null) held.delete(change.key);
        else held.set(change.key, change.value);
        for (const s of subscribers) s(change);
      }
      return Promise.resolve();
    },
    subscribe(subscriber: DossierSubscriber): () => void {
      for (const [key, value] of held) subscriber({ key, value });
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    close(): Promise<void> {
      subscribers.clear();
      return Promise.resolve();
    },
  };
}
