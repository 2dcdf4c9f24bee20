// One model worker: its own ONNX sessions (loaded with the options the pool was given), answering the pool's
// requests one message at a time. ORT runs synchronously on the calling thread, so this thread is the core
// the models use; the main thread stays free for decoding, tracking and matching.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FaceModels } from '../face-models.types.ts';
import { loadFaceModels } from '../face-models.ts';
import { toWorkerError, type WorkerReply, type WorkerRequest, type WorkerStartData } from './protocol.ts';
import { facesOf } from './shared-image.ts';

function parent(): MessagePort {
  if (!parentPort) throw new Error('models/worker/model-worker.ts runs inside a worker thread (started by the model worker pool)');
  return parentPort;
}
const port = parent();
const post = (reply: WorkerReply): void => port.postMessage(reply);

async function answer(models: FaceModels, req: WorkerRequest): Promise<WorkerReply> {
  switch (req.op) {
    case 'detect':
      return { kind: 'result', id: req.id, value: await models.detect(req.image, req.detectorImage) };
    case 'embed':
      return { kind: 'result', id: req.id, value: await models.embed(facesOf(req.payload)) };
    case 'attributes':
      return { kind: 'result', id: req.id, value: await models.attributes(facesOf(req.payload), req.which) };
    case 'close':
      await models.close();
      return { kind: 'result', id: req.id, value: null };
  }
}

async function main(): Promise<void> {
  const { options } = workerData as WorkerStartData;
  let models: FaceModels;
  try {
    models = await loadFaceModels(options);
  } catch (err) {
    post({ kind: 'failed', error: toWorkerError(err) });
    return;
  }
  port.on('message', (req: WorkerRequest) => {
    answer(models, req).then(
      (reply) => {
        post(reply);
        // after close nothing else may arrive: let the thread end on its own
        if (req.op === 'close') port.close();
      },
      (err: unknown) => post({ kind: 'error', id: req.id, error: toWorkerError(err) }),
    );
  });
  post({ kind: 'ready', embedderId: models.embedderId, ...(models.detectorInput ? { detectorInput: models.detectorInput } : {}) });
}

await main();
