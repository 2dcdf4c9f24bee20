// A stand-in model worker for the pool's failure tests (no models): speaks the protocol of
// models/worker/protocol.ts and misbehaves on cue, chosen by the image width of a detect call:
//   width 1  → answers after 50 ms with [{ threadId }], so a test can see which worker served it
//   width 2  → the call fails inside the worker (error reply)
//   width 3  → an uncaught exception kills the worker
//   width 4  → the worker exits with code 7
// workerData.options.failToLoad makes it fail at start like a missing model file.
import { parentPort, threadId, workerData } from 'node:worker_threads';

if (workerData.options.failToLoad) {
  parentPort.postMessage({ kind: 'failed', error: { name: 'ModelFileMissingError', message: 'scripted load failure' } });
} else {
  parentPort.on('message', (req) => {
    if (req.op === 'close') {
      parentPort.postMessage({ kind: 'result', id: req.id, value: null });
      parentPort.close();
      return;
    }
    const width = req.op === 'detect' ? req.image.width : 0;
    if (width === 1) setTimeout(() => parentPort.postMessage({ kind: 'result', id: req.id, value: [{ threadId }] }), 50);
    else if (width === 2) parentPort.postMessage({ kind: 'error', id: req.id, error: { name: 'RangeError', message: 'scripted failure' } });
    else if (width === 3) setImmediate(() => {
      throw new Error('scripted crash');
    });
    else if (width === 4) process.exit(7);
    else parentPort.postMessage({ kind: 'result', id: req.id, value: [] });
  });
  parentPort.postMessage({ kind: 'ready', embedderId: 'scripted-embedder' });
}
