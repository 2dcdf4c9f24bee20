// detect() throughput on 720p frames, in-process vs the worker pool, to choose runtime.model_workers.
//   node bin/run-ts.js models/worker/bench-detect.ts [frames=60] [rounds=2]
// Frames come from the cached 1280×720 bench clip (bench/analyze-speed.ts makes it) or, without it, from a
// shared clip resized to 1280×720 with sharp. Each configuration sees fresh (unshared) pixel arrays, so the
// pool pays its one copy per frame as it does in `analyze`; calls are kept `workers` deep, as the detect stage does.
import '../../pipelines/ingest/promise-with-resolvers.ts';
import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readVideo } from '../../pipelines/ingest/index.ts';
import type { RgbImage } from '../../schemas/records.ts';
import type { FaceModels } from '../face-models.types.ts';
import { loadFaceModels } from '../face-models.ts';
import { DATA_DIR } from '../testing/deepface.ts';
import { startModelWorkers } from './pool.ts';

const BENCH_CLIP = join(homedir(), '.cache', 'facestream', 'bench', 'face-demographics-walking-and-pause-1280x720-25fps-10s.mp4');
const SHARED_CLIP = join(DATA_DIR, 'video', 'face-demographics-walking-and-pause.mp4');
const detect = { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 };

async function to720p(img: RgbImage): Promise<RgbImage> {
  if (img.width === 1280 && img.height === 720) return img;
  const input = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = await sharp(input, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(1280, 720, { fit: 'fill' }).raw().toBuffer();
  return { width: 1280, height: 720, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
}

async function frames720p(count: number): Promise<{ source: string; frames: RgbImage[] }> {
  const source = existsSync(BENCH_CLIP) ? BENCH_CLIP : SHARED_CLIP;
  const frames: RgbImage[] = [];
  for await (const f of readVideo(source)) {
    frames.push(await to720p(f.image));
    if (frames.length === count) break;
  }
  return { source, frames };
}

/** frames/s of detect() over `frames`, `depth` calls in flight. */
async function throughput(models: FaceModels, frames: readonly RgbImage[], depth: number): Promise<number> {
  const fresh = frames.map((f) => ({ ...f, data: f.data.slice() }));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < fresh.length) await models.detect(fresh[next++]!);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: depth }, lane));
  return fresh.length / ((performance.now() - t0) / 1000);
}

interface Row {
  readonly config: string;
  readonly intraOp: number;
  readonly fps: number[];
}

async function measure(config: string, intraOp: number, workers: number, frames: readonly RgbImage[], rounds: number): Promise<Row> {
  const models = workers === 0 ? await loadFaceModels({ detect, intraOpThreads: intraOp }) : await startModelWorkers({ detect, intraOpThreads: intraOp, workers });
  try {
    // warm-up: first runs of a session allocate its arenas
    await throughput(models, frames.slice(0, Math.max(2, workers * 2)), Math.max(1, workers));
    const fps: number[] = [];
    for (let r = 0; r < rounds; r++) fps.push(await throughput(models, frames, Math.max(1, workers)));
    return { config, intraOp, fps };
  } finally {
    await models.close();
  }
}

const count = Number(process.argv[2] ?? 60);
const rounds = Number(process.argv[3] ?? 2);
const { source, frames } = await frames720p(count);
console.log(`${frames.length} frames 1280×720 from ${source}; ${availableParallelism()} cores; ${rounds} rounds each`);
const plan: Array<[string, number, number]> = [
  ['in-process', 1, 0],
  ['in-process', 2, 0],
  ['pool 1 worker', 1, 1],
  ['pool 1 worker', 2, 1],
  ['pool 2 workers', 1, 2],
  ['pool 2 workers', 2, 2],
  ['pool 3 workers', 1, 3],
  ['pool 3 workers', 2, 3],
];
console.log('| configuration | intra-op threads | detect frames/s (per round) | best |');
console.log('|---|---|---|---|');
for (const [name, intraOp, workers] of plan) {
  const row = await measure(name, intraOp, workers, frames, rounds);
  console.log(`| ${row.config} | ${row.intraOp} | ${row.fps.map((f) => f.toFixed(1)).join(', ')} | ${Math.max(...row.fps).toFixed(1)} |`);
}
