// onnxruntime-node session factory: every model of the process is opened the same way, with the settings
// measured to matter on small CPU machines (shared/docs/MODELS.md "Fixes every user of these files needs").
import * as ort from 'onnxruntime-node';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { withPReluAsConvs } from './prelu-as-convs.ts';

export interface SessionOptions {
  /** threads for one operator; 0 = all cores of this machine */
  readonly intraOpThreads: number;
}

export class ModelFileMissingError extends Error {
  constructor(readonly path: string) {
    super(`prepared model file ${path} is missing — run \`npm run models:prepare\``);
    this.name = 'ModelFileMissingError';
  }
}

export async function createSession(path: string, opts: SessionOptions): Promise<ort.InferenceSession> {
  if (!existsSync(path)) throw new ModelFileMissingError(path);
  return openSession(readFileSync(path), opts);
}

/** createSession for a model given as bytes (a graph rewritten in memory). */
export function createSessionFromBytes(model: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  return openSession(model, opts);
}

function openSession(bytes: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  // per-channel PRelus as convolutions: half of the embedder's time went to PRelu and the layout changes around it
  const model = withPReluAsConvs(bytes);
  return ort.InferenceSession.create(model, cpuSessionOptions(opts.intraOpThreads > 0 ? opts.intraOpThreads : availableParallelism()));
}

/** How every onnxruntime session of the process is opened (models, and the matcher's graphs made in memory). */
export function cpuSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    // one graph at a time: parallel execution only adds contention on 2 cores
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The SSR-Net exports list their weights as graph inputs and ORT warns once per tensor (~100 lines): errors only.
    logSeverityLevel: 3,
    // Busy-waiting worker threads steal the cores other sessions need: the 9-model chain went 273 → 85 ms per face.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/**
 * Runs one batch: `data` holds `batch` images of shape `shape` (C, H, W) back to back. The prepared files have a
 * symbolic batch axis, so one call serves the whole batch.
 */
export async function runBatch(
  session: ort.InferenceSession,
  data: Float32Array,
  batch: number,
  shape: readonly [number, number, number],
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const inputName = session.inputNames[0];
  if (inputName === undefined) throw new Error('model has no input');
  const tensor = new ort.Tensor('float32', data, [batch, ...shape]);
  return session.run({ [inputName]: tensor });
}

// Input tensors of the per-frame models (detector, landmarks) are reused: at 320×240 the detector's alone is
// 0.9 MB a frame, and the ArrayBuffers each call left behind drove the model workers' garbage collections.
// Kept by exact length (a tensor's data must match its shape); a few of each, since calls on one thread overlap
// while a run waits for its turn (session.run defers to setImmediate).
const freeFloats = new Map<number, Float32Array[]>();
const KEEP_PER_LENGTH = 4;

/**
 * runBatch on a reused input buffer of `floats` values that `fill` must write completely; the buffer goes back
 * to the pool once the run has finished with it.
 */
export async function runFilled(
  session: ort.InferenceSession,
  floats: number,
  batch: number,
  shape: readonly [number, number, number],
  fill: (data: Float32Array) => void,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const data = freeFloats.get(floats)?.pop() ?? new Float32Array(floats);
  try {
    fill(data);
    return await runBatch(session, data, batch, shape);
  } finally {
    const list = freeFloats.get(floats) ?? [];
    if (list.length < KEEP_PER_LENGTH) list.push(data);
    freeFloats.set(floats, list);
  }
}

/** The float data of a named output (or the first output when `name` is omitted). */
export function outputData(session: ort.InferenceSession, out: ort.InferenceSession.OnnxValueMapType, name?: string): Float32Array {
  const key = name ?? session.outputNames[0];
  const t = key === undefined ? undefined : out[key];
  if (!t) throw new Error(`model output ${String(key)} missing (outputs: ${session.outputNames.join(', ')})`);
  return t.data as Float32Array;
}

/** close() for a wrapper of one session: releases it once, so every wrapper's close is safe to call twice. */
export function releaseOnce(session: ort.InferenceSession): () => Promise<void> {
  let released: Promise<void> | undefined;
  return () => (released ??= session.release());
}
