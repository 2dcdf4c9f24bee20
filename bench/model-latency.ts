// Per-model latency (median of a single-face session call, 1 and 2 intra-op threads), embedder throughput for
// batches of 1, 4 and 8 faces on 2 threads, and the JS side of detect(): the whole call on a 480×270 frame with
// two faces (resize, detector, landmarks, sharpness, quality, appearance) and the appearance descriptor alone.
// Session inputs are pseudo-random pixels: CPU inference time does not depend on the values.
//
//   node bin/run-ts.js bench/model-latency.ts        prints the JSON summary
import { pathToFileURL } from 'node:url';
import type * as ort from 'onnxruntime-node';
import { loadManifest, modelPath, type ModelEntry } from '../models/manifest.ts';
import { createSession, runBatch } from '../models/session.ts';
import { tensorSize } from '../models/image/to-tensor.ts';
import { availableParallelism } from 'node:os';
import { loadFaceModels } from '../models/face-models.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import { cropResize } from '../models/image/crop-resize.ts';
import { appearanceDescriptor } from '../models/appearance.ts';
import { deepfacePath } from '../models/testing/deepface.ts';

export interface ModelLatency {
  readonly role: string;
  readonly id: string;
  readonly input: string;
  /** median ms per call with one face, by thread count */
  readonly ms: Readonly<Record<string, number>>;
}

export interface LatencyReport {
  readonly models: readonly ModelLatency[];
  /** median ms of FaceModels.detect() on a 480×270 frame holding 2 faces, 2 threads */
  readonly detectFrameMs: number;
  /** median ms of one appearance descriptor */
  readonly appearanceMs: number;
  /** faces per second on 2 threads, by batch size */
  readonly embeddingsPerSecond: Readonly<Record<string, number>>;
  readonly cpus: number;
}

/** Deterministic pseudo-image input in the model's value range (latency does not depend on the values). */
function inputFor(entry: ModelEntry, batch: number): Float32Array {
  const n = tensorSize(entry.input) * batch;
  const out = new Float32Array(n);
  const { mean, std } = entry.input.normalisation;
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = ((seed >>> 8) % 256 - mean[0]!) / std[0]!;
  }
  return out;
}

async function median(session: ort.InferenceSession, entry: ModelEntry, batch: number, runs: number): Promise<number> {
  const data = inputFor(entry, batch);
  const shape = [entry.input.channels, entry.input.height, entry.input.width] as const;
  for (let i = 0; i < 3; i++) await runBatch(session, data, batch, shape);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await runBatch(session, data, batch, shape);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function measureModelLatency(opts: { runs?: number; threads?: readonly number[] } = {}): Promise<LatencyReport> {
  const runs = opts.runs ?? 30;
  const threads = opts.threads ?? [1, 2];
  const manifest = loadManifest();
  const models: ModelLatency[] = [];
  for (const entry of manifest.models) {
    const ms: Record<string, number> = {};
    for (const t of threads) {
      const s = await createSession(modelPath(entry), { intraOpThreads: t });
      ms[`${t}`] = Math.round((await median(s, entry, 1, runs)) * 100) / 100;
      await s.release();
    }
    const { width, height, channels } = entry.input;
    models.push({ role: entry.role, id: entry.id, input: `${channels}×${height}×${width}`, ms });
  }
  const emb = manifest.models.find((m) => m.role === 'embedder');
  const embeddingsPerSecond: Record<string, number> = {};
  if (emb) {
    const s = await createSession(modelPath(emb), { intraOpThreads: 2 });
    for (const b of [1, 4, 8]) embeddingsPerSecond[`${b}`] = Math.round((b * 1000) / (await median(s, emb, b, Math.max(10, Math.floor(runs / 2)))));
    await s.release();
  }
  const { detectFrameMs, appearanceMs } = await measurePipeline(runs);
  return { models, detectFrameMs, appearanceMs, embeddingsPerSecond, cpus: availableParallelism() };
}

async function measurePipeline(runs: number): Promise<{ detectFrameMs: number; appearanceMs: number }> {
  const fm = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 2 });
  try {
    const photo = await readPhoto(deepfacePath('couple.jpg'));
    const frame = cropResize(photo, { x1: 0, y1: 0, x2: photo.width, y2: photo.height }, 480, 270);
    const t0: number[] = [];
    let faces = await fm.detect(frame);
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      faces = await fm.detect(frame);
      t0.push(performance.now() - t);
    }
    const box = faces[0]?.box ?? { x1: 100, y1: 50, x2: 180, y2: 130 };
    const t1: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      appearanceDescriptor(frame, box);
      t1.push(performance.now() - t);
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { detectFrameMs: Math.round(med(t0) * 100) / 100, appearanceMs: Math.round(med(t1) * 1000) / 1000 };
  } finally {
    await fm.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureModelLatency(), null, 2));
}
