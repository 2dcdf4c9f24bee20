// The frame store sweeper on a temp dir of frames and clips with chosen names and times.
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FrameStoreConfig } from './config.ts';
import { clipPath, clipsRoot } from './layout.ts';
import { startSweeper, sweepFrameStore, sweepRules } from './sweeper.ts';
import { Value } from '@sinclair/typebox/value';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 3, 12, 30);
const rules = { framesMs: 24 * HOUR, clipsMs: 48 * HOUR };

/** Writes `bytes` bytes at `path`, last modified at `mtime`. */
async function file(path: string, bytes: number, mtime: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes));
  await utimes(path, mtime / 1000, mtime / 1000);
}

async function touch(dir: string, mtime: number): Promise<void> {
  await utimes(dir, mtime / 1000, mtime / 1000);
}

const hour = (ts: number) => new Date(ts).toISOString().slice(0, 13).replace('T', '-');

async function tree(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true, withFileTypes: true })) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Frames of camera `cam` in the hour of `ts`, written then. */
async function frames(dir: string, cam: string, ts: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await file(join(dir, cam, hour(ts), `${i}.jpg`), 100, ts);
  await touch(join(dir, cam, hour(ts)), ts);
}

describe('sweepFrameStore', () => {
  it('deletes frame hours that ended before the retention and clips written before theirs, counting files and bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-sweep-'));
    await frames(dir, 'gate', NOW - 30 * HOUR, 3); // old
    await frames(dir, 'gate', NOW - 25 * HOUR, 2); // its hour ended 24.5 h ago: old
    await frames(dir, 'gate', NOW - 24 * HOUR, 2); // the hour ends 23.5 h before NOW: kept
    await frames(dir, '1', NOW - 40 * HOUR, 1); // a camera whose name sorts before the hours
    await frames(dir, 'door', NOW, 1);
    const clips = clipsRoot(dir);
    await file(clipPath(clips, 'gate', 'ep-old'), 1000, NOW - 49 * HOUR);
    await file(clipPath(clips, '1', 'ep-old'), 500, NOW - 72 * HOUR);
    await file(clipPath(clips, 'gate', 'ep-new'), 1000, NOW - 47 * HOUR);
    const result = await sweepFrameStore(dir, rules, NOW);
    expect(result).toEqual({ files: { frames: 6, clips: 2 }, bytes: { frames: 600, clips: 1500 } });
    expect(await tree(dir)).toEqual([
      join('clips', 'gate', 'ep-new.mp4'),
      join('door', hour(NOW), '0.jpg'),
      join('gate', hour(NOW - 24 * HOUR), '0.jpg'),
      join('gate', hour(NOW - 24 * HOUR), '1.jpg'),
    ]);
    // nothing more to do
    expect(await sweepFrameStore(dir, rules, NOW)).toEqual({ files: { frames: 0, clips: 0 }, bytes: { frames: 0, clips: 0 } });
  });

  it('never takes a file being written: an old hour folder written into lately, a clip still growing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-sweep-'));
    // analysing a recording from last week dates its frames then, but they are being written now
    await frames(dir, 'archive', NOW - 7 * 24 * HOUR, 2);
    await touch(join(dir, 'archive', hour(NOW - 7 * 24 * HOUR)), NOW - 60_000);
    await file(`${clipPath(clipsRoot(dir), 'gate', 'ep-live')}.part`, 4000, NOW - 1000);
    expect((await sweepFrameStore(dir, rules, NOW)).files).toEqual({ frames: 0, clips: 0 });
    expect(await tree(dir)).toHaveLength(3);
  });

  it('retention 0 keeps clips for ever; other files and folders are left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-sweep-'));
    await file(clipPath(clipsRoot(dir), 'gate', 'ep'), 10, NOW - 1000 * HOUR);
    await file(join(dir, 'gate', 'notes.txt'), 10, NOW - 1000 * HOUR);
    await file(join(dir, 'gate', 'not-an-hour', '1.jpg'), 10, NOW - 1000 * HOUR);
    expect((await sweepFrameStore(dir, { framesMs: 24 * HOUR, clipsMs: 0 }, NOW)).files).toEqual({ frames: 0, clips: 0 });
    expect(await tree(dir)).toHaveLength(3);
  });

  it('a missing store is nothing to do', async () => {
    expect((await sweepFrameStore(join(tmpdir(), 'fs-sweep-none', String(process.pid)), rules, NOW)).files).toEqual({ frames: 0, clips: 0 });
  });
});

describe('startSweeper', () => {
  it('sweeps at start with the configured ages and counts what went as metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-sweep-'));
    await frames(dir, 'gate', NOW - 10 * HOUR, 2);
    await file(clipPath(clipsRoot(dir), 'gate', 'ep'), 300, NOW - 5 * HOUR);
    const config = Value.Default(FrameStoreConfig, { dir, retention_hours: 2, clips_retention_hours: 4 }) as FrameStoreConfig;
    expect(sweepRules(config)).toEqual({ framesMs: 2 * HOUR, clipsMs: 4 * HOUR });
    const registry = new Registry();
    const sweeper = startSweeper({ dir, config, logger: pino({ level: 'silent' }), registry, clock: () => NOW });
    await sweeper.stop(); // waits for the sweep at start
    expect(await tree(dir)).toEqual([]);
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string, kind: string) => metrics.find((m) => m.name === name)?.values.find((v) => v.labels['kind'] === kind)?.value;
    expect([value('facestream_frame_store_deleted_files_total', 'frames'), value('facestream_frame_store_deleted_files_total', 'clips')]).toEqual([2, 1]);
    expect(value('facestream_frame_store_deleted_bytes_total', 'clips')).toBe(300);
    await sweeper.stop();
  });
});
