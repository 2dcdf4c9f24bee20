// Face events and episode changes for the ClickHouse tests, at times relative to now (a TTL deletes rows dated
// too far in the past as soon as they are inserted).
import type { EpisodeChange, FaceAttributes, FaceEvent, MatchCandidate } from '../../schemas/records.ts';
import { faceEvent, unit } from '../../pipelines/runtime/testing/records.ts';

export interface TestEventOptions {
  readonly id: string;
  /** ms since the epoch */
  readonly ts: number;
  readonly camera?: string;
  readonly trackId?: string;
  readonly postNo?: number;
  /** matched dossier, or null/absent for an unmatched event */
  readonly dossier?: string | null;
  readonly watchList?: string;
  readonly confidence?: number;
  readonly quality?: number;
  readonly attributes?: FaceAttributes;
  readonly vector?: Float32Array;
  /** the embedder of `vector` (default: the test records' 'test-model') */
  readonly modelId?: string;
}

export function testEvent(o: TestEventOptions): FaceEvent {
  const camera = o.camera ?? 'cam-1';
  const dossier = o.dossier ?? null;
  const confidence = o.confidence ?? (dossier ? 0.9 : 0.2);
  const list = o.watchList ?? 'staff';
  const candidates: MatchCandidate[] = [
    { dossier: dossier ?? 'someone', dossierFace: `${dossier ?? 'someone'}/1.jpg`, watchList: list, watchLists: [list], matchedWatchLists: dossier ? [list] : [], confidence },
    { dossier: 'other', dossierFace: 'other/1.jpg', watchList: 'staff', watchLists: ['staff'], matchedWatchLists: [], confidence: confidence / 2 },
  ];
  const base = faceEvent({
    id: o.id,
    camera,
    trackId: o.trackId ?? `${camera}-${o.id}`,
    postNo: o.postNo ?? 1,
    quality: o.quality ?? -0.5,
    vector: o.vector ?? unit([1, 2, 3, 4]),
    dossier,
    confidence,
    candidates,
  });
  const post = base.embedding.post;
  return {
    ...base,
    embedding: {
      ...base.embedding,
      ...(o.modelId !== undefined ? { modelId: o.modelId } : {}),
      attributes: o.attributes ?? {},
      post: { ...post, frame: { ...post.frame, ts: o.ts }, trackFirstTs: o.ts - 2000, trackLastTs: o.ts },
    },
  };
}

export function testChange(
  kind: EpisodeChange['kind'],
  episodeId: string,
  eventId: string | null,
  o: { eventsCount: number; startTs: number; endTs: number; dossier?: string | null; cameras?: string[]; bestEventId?: string },
): EpisodeChange {
  return {
    kind,
    episodeId,
    scope: 'default',
    eventId,
    duplicateOf: null,
    bestEventId: o.bestEventId ?? eventId ?? 'best',
    eventsCount: o.eventsCount,
    dossier: o.dossier ?? null,
    cameras: o.cameras ?? ['cam-1'],
    startTs: o.startTs,
    endTs: o.endTs,
    startT: 0,
    endT: (o.endTs - o.startTs) / 1000,
  };
}
