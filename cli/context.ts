// What `analyze` and `identify` both need before they start: the validated configuration, the face models and
// the enrolled watch list turned into a search index. Built once, in this order, so a bad config or a missing
// model fails before any video is opened.
import type { FacestreamConfig } from '../config/schema.ts';
import { loadConfig, type DeepPartial } from '../config/load.ts';
import { enrolWatchlistFolder, type EnrolledWatchlist } from '../enrolment/watchlist-folder.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { loadFaceModels, type LoadFaceModelsOptions } from '../models/face-models.ts';
import { startModelWorkers } from '../models/worker/pool.ts';
import { createFaceIndex, watchListFromFaces, type FaceIndex } from '../pipelines/match/index.ts';

export interface RunContext {
  readonly config: Readonly<FacestreamConfig>;
  readonly models: FaceModels;
  readonly watchlist: EnrolledWatchlist | null;
  readonly index: FaceIndex;
}

export interface ContextOptions {
  readonly configFile?: string;
  readonly overrides: DeepPartial<FacestreamConfig>;
  readonly watchlistDir?: string;
  /** told about every watch-list photo that could not be enrolled */
  readonly onRejected: (message: string) => void;
}

export async function createRunContext(opts: ContextOptions): Promise<RunContext> {
  const config = await loadConfig(opts.configFile, opts.overrides);
  const models = await loadRunModels(config);
  try {
    const watchlist = opts.watchlistDir ? await enrolWatchlistFolder(opts.watchlistDir, models, config.enrol) : null;
    for (const r of watchlist?.rejected ?? []) opts.onRejected(r.message);
    const faces = (watchlist?.faces ?? []).map((f) => ({ id: f.photo, dossier: f.dossier, watchList: f.watchList, vector: f.vector }));
    return { config, models, watchlist, index: createFaceIndex(watchListFromFaces(faces), config.match.index) };
  } catch (err) {
    await models.close();
    throw err;
  }
}

/** The face models a pipeline runs on: in runtime.model_workers worker threads, or on this thread when 0. */
export async function loadRunModels(config: Readonly<FacestreamConfig>): Promise<FaceModels> {
  const load: LoadFaceModelsOptions = {
    ...(config.model_manifest ? { manifestPath: config.model_manifest } : {}),
    detect: config.detect,
    intraOpThreads: config.runtime.intra_op_threads,
    attributes: config.attributes,
    embedBatchSize: config.embed.batch_size,
  };
  const workers = config.runtime.model_workers;
  return workers > 0
    ? startModelWorkers({
        ...load,
        workers,
        // The pool goes on with the workers left; a silent loss of throughput would be hard to explain.
        onWorkerCrash: (err) => process.emitWarning(err.message, 'ModelWorkerCrash'),
      })
    : loadFaceModels(load);
}
