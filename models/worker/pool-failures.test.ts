// How the pool behaves when workers fail, with a scripted stand-in worker (testing/scripted-worker.js) instead
// of the models: errors reach the caller, a crash rejects what was in flight and is reported, dispatch goes to
// the least busy worker and around dead ones, calls beyond the workers' depth wait in the pool.
import type { FaceModels } from '../face-models.types.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../schemas/records.ts';
import { startModelWorkers, type ModelWorkerPoolOptions } from './pool.ts';

const entry = new URL('./testing/scripted-worker.js', import.meta.url);
const detect = { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 };
/** the scripted worker's cue is the image width */
const cue = (width: number): RgbImage => ({ width, height: 1, data: new Uint8Array(width * 3) });
const SLOW = cue(1);
const FAILS = cue(2);
const THROWS = cue(3);
const EXITS = cue(4);

const opened: FaceModels[] = [];
async function start(workers: number, extra: Partial<ModelWorkerPoolOptions> = {}): Promise<FaceModels> {
  const pool = await startModelWorkers({ detect, intraOpThreads: 1, workers, entry, ...extra });
  opened.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

describe('model worker pool failures', () => {
  it('takes the embedder id from the ready message', async () => {
    expect((await start(1)).embedderId).toBe('scripted-embedder');
  });

  it('an error inside the worker rejects only that call, with the worker’s message and error name', async () => {
    const pool = await start(1);
    const err = await pool.detect(FAILS).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('scripted failure');
    expect((err as Error).name).toBe('RangeError');
    await expect(pool.detect(cue(5))).resolves.toEqual([]);
  });

  it('sends concurrent calls to different workers (least busy first)', async () => {
    const pool = await start(2);
    const served = await Promise.all([pool.detect(SLOW), pool.detect(SLOW)]);
    const threads = served.map((r) => (r[0] as unknown as { threadId: number }).threadId);
    expect(new Set(threads).size).toBe(2);
  });

  it.each([
    ['an uncaught exception', THROWS, /model worker \d crashed: scripted crash/],
    ['an exit', EXITS, /model worker \d crashed: exited with code 7/],
  ])('%s rejects everything in flight on that worker, is reported, and the others carry on', async (_, image, message) => {
    const crashes: Error[] = [];
    const pool = await start(2, { onWorkerCrash: (e) => crashes.push(e) });
    // worker 0 gets the slow call, worker 1 the crash; then worker 0 (least busy after the crash) serves on
    const slow = pool.detect(SLOW);
    await expect(pool.detect(image)).rejects.toThrow(message);
    await expect(slow).resolves.toHaveLength(1);
    expect(crashes.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
    await expect(pool.detect(cue(5))).resolves.toEqual([]);
    // the last worker dies too: nothing is left to serve
    await expect(pool.detect(EXITS)).rejects.toThrow(/crashed/);
    await expect(pool.detect(cue(5))).rejects.toThrow(/every model worker has crashed/);
    expect(crashes).toHaveLength(2);
  });

  it('a crash rejects a call that was waiting on the same worker', async () => {
    const pool = await start(1);
    const first = expect(pool.detect(SLOW)).rejects.toThrow(/crashed: scripted crash/);
    const crash = expect(pool.detect(THROWS)).rejects.toThrow(/crashed: scripted crash/);
    await Promise.all([first, crash]);
  });

  it('holds calls beyond what the workers take until a worker is free', async () => {
    const pool = await start(2, { depth: 1 });
    const order: string[] = [];
    const seen = (name: string) => () => void order.push(name);
    // the scripted worker answers a quick call at once, even beside a slow one: only the pool can make it wait
    await Promise.all([pool.detect(SLOW).then(seen('slow')), pool.detect(SLOW).then(seen('slow')), pool.detect(cue(5)).then(seen('quick'))]);
    // (without the pool's queue the quick call would have gone to a busy worker and come back first)
    expect(order[0]).toBe('slow');
    expect(order).toContain('quick');
  });

  it('calls beyond what the workers hold wait in the pool, and go to a worker that is still alive', async () => {
    const pool = await start(2, { depth: 1 });
    const slow = pool.detect(SLOW); // worker 0
    const crash = expect(pool.detect(THROWS)).rejects.toThrow(/crashed/); // worker 1, which dies
    const waiting = pool.detect(SLOW); // held in the pool: both workers are full
    await crash;
    const [a, b] = await Promise.all([slow, waiting]);
    expect((b[0] as unknown as { threadId: number }).threadId).toBe((a[0] as unknown as { threadId: number }).threadId);
  });

  it('close() rejects calls still waiting in the pool', async () => {
    const pool = await start(1, { depth: 1 });
    const running = expect(pool.detect(SLOW)).rejects.toThrow(/closed/);
    const waiting = expect(pool.detect(SLOW)).rejects.toThrow(/closed before this call ran/);
    await pool.close();
    await Promise.all([running, waiting]);
  });

  it('a worker failing to load fails the start with its message, and the pool stops the others', async () => {
    const opts = { detect, intraOpThreads: 1, workers: 2, entry, failToLoad: true };
    await expect(startModelWorkers(opts)).rejects.toThrow('scripted load failure');
  });

  it('close() rejects calls still in flight and is safe to call twice', async () => {
    const pool = await start(1);
    const inFlight = expect(pool.detect(SLOW)).rejects.toThrow(/closed while this call was running/);
    await pool.close();
    await inFlight;
    await pool.close();
    await expect(pool.detect(SLOW)).rejects.toThrow(/closed/);
  });
});
