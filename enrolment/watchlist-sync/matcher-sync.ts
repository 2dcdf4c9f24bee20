// A matcher's index kept equal to the identity store's active watch lists: on Kafka by following the `dossiers`
// topic from its beginning (each match process), in process by subscribing to the relay (embedded topology).
// Either way each record goes through applyDossierFaceChange; faces of another embedder are left out.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { applyDossierFaceChange, type DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';
import type { FaceIndex } from '../../pipelines/match/face-index.ts';
import type { WatchListRules } from '../../pipelines/match/list-rules.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { InProcessDossierPublisher } from './inproc-publisher.ts';
import { followDossiersTopic, type DossiersFollower } from './kafka-follower.ts';

export interface MatcherSyncOptions {
  /** a LiveFaceIndex when the match stage searches it meanwhile */
  readonly index: FaceIndex;
  /** learns each face's lists and their rules with it, for the match stage */
  readonly rules?: WatchListRules;
  /** the embedder of this matcher (FaceModels.embedderId) */
  readonly modelId: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

function applier(opts: MatcherSyncOptions): (change: DossierFaceChange) => void {
  return (change) => {
    const applied = applyDossierFaceChange(opts.index, change, { modelId: opts.modelId, ...(opts.rules ? { rules: opts.rules } : {}) });
    if (applied.kind === 'skipped') opts.logger.warn({ dossierFace: change.key }, `dossier face left out of the watch lists: ${applied.reason}`);
  };
}

/** Follows the topic; resolves once it is read to its end at start, so the caller starts the stage after. */
export async function syncIndexFromKafka(
  opts: MatcherSyncOptions & { readonly kafka: Kafka; readonly serde: TopicSerde; readonly topicPrefix: string },
): Promise<DossiersFollower> {
  const follower = await followDossiersTopic({ kafka: opts.kafka, serde: opts.serde, topicPrefix: opts.topicPrefix, logger: opts.logger, onChange: applier(opts) });
  try {
    const { records } = await follower.ready;
    opts.logger.info({ records, faces: opts.index.size }, `watch lists: ${records} dossiers records read, ${opts.index.size} faces indexed`);
    return follower;
  } catch (err) {
    await follower.stop();
    throw err;
  }
}

/** Subscribes to the relay in this process (every face held is applied before this returns); returns the unsubscribe. */
export function syncIndexInProcess(opts: MatcherSyncOptions & { readonly relayed: InProcessDossierPublisher }): () => void {
  return opts.relayed.subscribe(applier(opts));
}
