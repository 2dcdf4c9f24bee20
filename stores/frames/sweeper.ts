// Retention of the frame store's files (layout.ts): full frames go by whole hour folders once the hour ended more
// than frame_store.retention_hours ago, clips one by one once they are older than clips_retention_hours. A file is
// only deleted when it was last written longer ago than its retention, so a file still being written (a clip that
// grows, a frame going into an hour folder — analysing an old recording dates frames in the past) is never taken.
// Runs now and then every sweep_interval_minutes in each process that owns a frame store; logs and counts what went.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { FrameStoreConfig } from './config.ts';
import { CLIPS_FOLDER } from './layout.ts';

export type SweptKind = 'frames' | 'clips';

export interface SweepRules {
  /** ms a full frame is kept after its hour ended; 0 = for ever */
  readonly framesMs: number;
  /** ms a clip is kept after it was written; 0 = for ever */
  readonly clipsMs: number;
}

export interface SweepResult {
  readonly files: Readonly<Record<SweptKind, number>>;
  readonly bytes: Readonly<Record<SweptKind, number>>;
}

const HOUR_MS = 3_600_000;
const HOUR_FOLDER = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})$/;

export function sweepRules(config: FrameStoreConfig): SweepRules {
  return { framesMs: config.retention_hours * HOUR_MS, clipsMs: config.clips_retention_hours * HOUR_MS };
}

/** Deletes what outlived its retention under `dir` at `now` (ms); resolves to what went. */
export async function sweepFrameStore(dir: string, rules: SweepRules, now: number): Promise<SweepResult> {
  const files = { frames: 0, clips: 0 };
  const bytes = { frames: 0, clips: 0 };
  for (const top of await folders(dir)) {
    if (top === CLIPS_FOLDER) {
      if (rules.clipsMs <= 0) continue;
      for (const camera of await folders(join(dir, top))) {
        const cameraDir = join(dir, top, camera);
        for (const name of await entries(cameraDir)) {
          const path = join(cameraDir, name);
          const s = await stat(path).catch(() => null);
          if (!s?.isFile() || s.mtimeMs > now - rules.clipsMs) continue;
          await rm(path, { force: true });
          files.clips++;
          bytes.clips += s.size;
        }
      }
      continue;
    }
    if (rules.framesMs <= 0) continue;
    for (const hour of await folders(join(dir, top))) {
      const m = HOUR_FOLDER.exec(hour);
      if (!m) continue;
      const hourEnd = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!) + HOUR_MS;
      const hourDir = join(dir, top, hour);
      const s = await stat(hourDir).catch(() => null);
      // a folder's time changes when a frame goes into it: one written lately is kept whatever its hour says
      if (!s || hourEnd > now - rules.framesMs || s.mtimeMs > now - rules.framesMs) continue;
      for (const name of await entries(hourDir)) {
        const f = await stat(join(hourDir, name)).catch(() => null);
        if (!f?.isFile()) continue;
        files.frames++;
        bytes.frames += f.size;
      }
      await rm(hourDir, { recursive: true, force: true });
    }
  }
  return { files, bytes };
}

export interface SweeperOptions {
  readonly dir: string;
  readonly config: FrameStoreConfig;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** ms since the epoch; default Date.now */
  readonly clock?: () => number;
}

export interface Sweeper {
  /** one sweep now (the timer's are the same); resolves to what went */
  sweep(): Promise<SweepResult>;
  /** stops the timer; waits for a sweep in progress. Safe to call twice. */
  stop(): Promise<void>;
}

/** Sweeps `dir` now and every `config.sweep_interval_minutes` until stopped. */
export function startSweeper(opts: SweeperOptions): Sweeper {
  const clock = opts.clock ?? Date.now;
  const registers = opts.registry ? [opts.registry] : [];
  const deletedFiles = new Counter({ name: 'facestream_frame_store_deleted_files_total', help: 'files the frame store sweeper deleted', labelNames: ['kind'], registers });
  const deletedBytes = new Counter({ name: 'facestream_frame_store_deleted_bytes_total', help: 'bytes the frame store sweeper freed', labelNames: ['kind'], registers });
  const failures = new Counter({ name: 'facestream_frame_store_sweep_failures_total', help: 'frame store sweeps that failed', registers });
  const rules = sweepRules(opts.config);
  let running: Promise<SweepResult> | null = null;

  const sweep = (): Promise<SweepResult> => {
    running ??= sweepFrameStore(opts.dir, rules, clock())
      .then((result) => {
        for (const kind of ['frames', 'clips'] as const) {
          deletedFiles.inc({ kind }, result.files[kind]);
          deletedBytes.inc({ kind }, result.bytes[kind]);
        }
        if (result.files.frames + result.files.clips > 0) opts.logger.info({ dir: opts.dir, ...result }, 'frame store: old files deleted');
        return result;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const tick = () =>
    void sweep().catch((err: unknown) => {
      failures.inc();
      opts.logger.warn({ dir: opts.dir, err: (err as Error).message }, 'frame store: sweep failed');
    });
  tick();
  const timer = setInterval(tick, opts.config.sweep_interval_minutes * 60_000);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function folders(dir: string): Promise<string[]> {
  const all = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return all.filter((e) => e.isDirectory()).map((e) => e.name);
}
