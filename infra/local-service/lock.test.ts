import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDirLock } from './lock.ts';
import { sleep } from './process.ts';

describe('withDirLock', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facestream-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lets one holder in at a time and releases on error', async () => {
    const lock = join(dir, 'a.lock');
    let inside = 0;
    let most = 0;
    const work = (fail: boolean) =>
      withDirLock(lock, async () => {
        inside++;
        most = Math.max(most, inside);
        await sleep(30);
        inside--;
        if (fail) throw new Error('boom');
        return 'ok';
      });
    const results = await Promise.allSettled([work(false), work(true), work(false), work(false)]);
    expect(most).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  });

  it('takes over a lock whose owner died', async () => {
    const lock = join(dir, 'b.lock');
    const dead = spawnSync('true').pid!;
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), `${dead}\n`);
    expect(await withDirLock(lock, async () => 'mine', { timeoutMs: 5_000 })).toBe('mine');
  });

  it('waits for a live owner, then gives up with a clear error', async () => {
    const lock = join(dir, 'c.lock');
    await mkdir(lock);
    await writeFile(join(lock, 'owner'), `${process.pid}\n`);
    await expect(withDirLock(lock, async () => 'never', { timeoutMs: 500 })).rejects.toThrow(/held by pid \d+/);
  });
});
