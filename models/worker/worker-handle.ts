// The main thread's side of one model worker: starts it, numbers requests, settles each caller's promise from
// the worker's reply, and turns a dying worker into clear errors for everything it still had in flight.
import { Worker } from 'node:worker_threads';
import type { WorkerError, WorkerInfo, WorkerReply, WorkerRequestBody, WorkerResult, WorkerStartData } from './protocol.ts';

/** The real worker; tests swap in scripted ones (models/worker/testing/) to make workers fail on cue. */
export const MODEL_WORKER_ENTRY = new URL('./entry.js', import.meta.url);

/** A stopped worker that does not exit by itself within this is terminated. */
const CLOSE_TIMEOUT_MS = 5_000;

interface Pending<T = WorkerResult> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

type State = 'starting' | 'ready' | 'closing' | 'dead';

function errorFrom(e: WorkerError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

export class ModelWorker {
  /** resolves once the worker has loaded its models */
  readonly ready: Promise<WorkerInfo>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly exited: Promise<void>;
  private state: State = 'starting';
  private nextId = 1;
  private lastError: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly index: number,
    start: WorkerStartData,
    private readonly onCrash?: (error: Error) => void,
    entry: URL = MODEL_WORKER_ENTRY,
  ) {
    this.worker = new Worker(entry, { workerData: start, name: `facestream-models-${index}` });
    let readyCallbacks: Pending<WorkerInfo> | undefined;
    this.ready = new Promise<WorkerInfo>((resolve, reject) => {
      readyCallbacks = { resolve, reject };
    });
    // a pool that fails to start rejects through Promise.allSettled; never leave this one unhandled
    this.ready.catch(() => undefined);
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply, readyCallbacks!));
    this.worker.on('error', (err) => {
      this.lastError = err;
    });
    this.worker.on('exit', (code) => this.onExit(code, readyCallbacks!));
  }

  get alive(): boolean {
    return this.state === 'ready';
  }

  get inFlight(): number {
    return this.pending.size;
  }

  send(body: WorkerRequestBody): Promise<WorkerResult> {
    if (this.state !== 'ready') return Promise.reject(new Error(`model worker ${this.index} is not running (${this.state})`));
    const id = this.nextId++;
    return new Promise<WorkerResult>((resolve, reject) => {
      // An idle worker must not keep the process alive by itself; a busy one must, or awaited calls would be cut off.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  /** Releases the worker's sessions and ends its thread; calls still in flight are rejected. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    if (this.state === 'dead') return;
    if (this.state === 'starting') {
      this.state = 'closing';
      await this.worker.terminate();
      return;
    }
    const inFlight = [...this.pending.values()];
    this.pending.clear();
    for (const p of inFlight) p.reject(new Error('model workers were closed while this call was running'));
    const released = this.send({ op: 'close' }).catch(() => undefined);
    this.state = 'closing';
    await released;
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && this.state === 'ready') this.worker.unref();
    return p;
  }

  private onReply(reply: WorkerReply, ready: Pending<WorkerInfo>): void {
    switch (reply.kind) {
      case 'ready':
        this.state = 'ready';
        this.worker.unref();
        ready.resolve({ embedderId: reply.embedderId, ...(reply.detectorInput ? { detectorInput: reply.detectorInput } : {}) });
        return;
      case 'failed':
        this.state = 'dead';
        ready.reject(errorFrom(reply.error));
        return;
      case 'result':
        this.settle(reply.id)?.resolve(reply.value);
        return;
      case 'error':
        this.settle(reply.id)?.reject(errorFrom(reply.error));
        return;
    }
  }

  private onExit(code: number, ready: Pending<WorkerInfo>): void {
    const was = this.state;
    this.state = 'dead';
    const why = this.lastError ? this.lastError.message : `exited with code ${code}`;
    const what = was === 'starting' ? 'failed to start' : was === 'closing' ? 'exited while closing' : 'crashed';
    const error = new Error(`model worker ${this.index} ${what}: ${why}`);
    // (a ready promise already settled ignores this)
    ready.reject(error);
    // whatever is still in flight (the close request too, if the worker died while closing) would never settle
    const inFlight = [...this.pending.values()];
    this.pending.clear();
    for (const p of inFlight) p.reject(error);
    if (was === 'ready') this.onCrash?.(error);
  }
}
