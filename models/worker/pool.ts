// FaceModels served by a pool of worker threads, each with its own ONNX sessions. onnxruntime-node runs a
// model synchronously on the calling thread, so in-process every model call holds the main thread; with N
// workers, N model calls run at once on N cores while the main thread decodes and tracks.
import { availableParallelism } from 'node:os';
import type { DetectedFace, FaceAttributes } from '../../schemas/records.ts';
import type { LoadFaceModelsOptions } from '../face-models.ts';
import type { FaceModels } from '../face-models.types.ts';
import type { WorkerInfo, WorkerRequestBody, WorkerResult, WorkerStartData } from './protocol.ts';
import { facesPayload, sharedImage } from './shared-image.ts';
import { ModelWorker } from './worker-handle.ts';

export interface ModelWorkerPoolOptions extends LoadFaceModelsOptions {
  /** number of worker threads, ≥ 1 */
  readonly workers: number;
  /** told when a worker dies outside close(); its calls in flight are rejected, the other workers carry on */
  readonly onWorkerCrash?: (error: Error) => void;
  /** worker script; only tests change it */
  readonly entry?: URL;
  /** calls a worker holds at once (running + waiting in it); the rest wait in the pool for the first free worker */
  readonly depth?: number;
}

interface Queued {
  readonly body: WorkerRequestBody;
  readonly resolve: (value: WorkerResult) => void;
  readonly reject: (error: Error) => void;
}

const DEFAULT_DEPTH = 2;

/** ONNX intra-op threads per worker: the configured number, else the cores shared out among the workers. */
export function intraOpThreadsPerWorker(configured: number, workers: number, cores = availableParallelism()): number {
  return configured > 0 ? configured : Math.max(1, Math.floor(cores / workers));
}

export async function startModelWorkers(opts: ModelWorkerPoolOptions): Promise<FaceModels> {
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`model workers must be an integer ≥ 1, got ${opts.workers}`);
  const { workers: count, onWorkerCrash, entry, depth = DEFAULT_DEPTH, ...load } = opts;
  const start: WorkerStartData = { options: { ...load, intraOpThreads: intraOpThreadsPerWorker(load.intraOpThreads, count) } };
  const workers = Array.from({ length: count }, (_, i) => new ModelWorker(i, start, onWorkerCrash, entry));
  const started = await Promise.allSettled(workers.map((w) => w.ready));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.close()));
    throw failed.reason;
  }
  const { embedderId, detectorInput } = (started[0] as PromiseFulfilledResult<WorkerInfo>).value;
  let closed = false;

  // Calls wait here, in arrival order, until a worker has room: each worker holds at most `depth` calls (one
  // running, the next ready so it never waits on the main thread). Committing calls to a worker as they come
  // left frames queued behind a 20 ms embedding on one worker while the other one idled.
  const queue: Queued[] = [];

  function pump(): void {
    while (queue.length > 0) {
      const alive = workers.filter((w) => w.alive);
      if (alive.length === 0) {
        for (const q of queue.splice(0)) q.reject(new Error('every model worker has crashed (see the crash reports before this)'));
        return;
      }
      // least busy first; ties go to the lowest index
      const target = alive.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (target.inFlight >= depth) return;
      const q = queue.shift()!;
      target.send(q.body).then(q.resolve, q.reject).finally(pump);
    }
  }

  // Replies cross the thread boundary untyped; each public method below knows what its operation returns.
  function call<T>(body: WorkerRequestBody): Promise<T> {
    if (closed) return Promise.reject(new Error('model workers are closed'));
    if (!workers.some((w) => w.alive)) return Promise.reject(new Error('every model worker has crashed (see the crash reports before this)'));
    return new Promise<WorkerResult>((resolve, reject) => {
      queue.push({ body, resolve, reject });
      pump();
    }) as Promise<T>;
  }

  return {
    embedderId,
    ...(detectorInput ? { detectorInput } : {}),
    concurrency: count,
    detect: (image, detectorImage) =>
      call<DetectedFace[]>({ op: 'detect', image: sharedImage(image), ...(detectorImage ? { detectorImage: sharedImage(detectorImage) } : {}) }),
    embed: (faces) => call<Float32Array[]>({ op: 'embed', payload: facesPayload(faces) }),
    attributes: (faces, which) => call<FaceAttributes[]>({ op: 'attributes', payload: facesPayload(faces), which }),
    async close() {
      if (closed) return;
      closed = true;
      for (const q of queue.splice(0)) q.reject(new Error('model workers were closed before this call ran'));
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
