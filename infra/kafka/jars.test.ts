// The jar cache's bookkeeping, with the Maven fetch replaced by a fake that writes jar names after a pause.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KAFKA_VERSION, defaultKafkaCacheDir, ensureKafkaJars } from './jars.ts';
import { sleep } from '../local-service/process.ts';

describe('ensureKafkaJars', () => {
  let cacheDir = '';
  let fetches = 0;
  const quiet = () => undefined;
  const fakeFetch = async (dir: string) => {
    fetches++;
    await mkdir(dir, { recursive: true });
    await sleep(100);
    await writeFile(join(dir, `kafka_2.13-${KAFKA_VERSION}.jar`), '');
    await writeFile(join(dir, 'kafka-clients.jar'), '');
  };

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'facestream-jars-'));
    fetches = 0;
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('fetches once for callers arriving together, then answers from the cache', async () => {
    const opts = { cacheDir, fetch: fakeFetch, log: quiet };
    const dirs = await Promise.all([ensureKafkaJars(opts), ensureKafkaJars(opts), ensureKafkaJars(opts)]);
    expect(new Set(dirs)).toEqual(new Set([join(cacheDir, 'libs')]));
    expect(fetches).toBe(1);
    await ensureKafkaJars(opts);
    expect(fetches).toBe(1);
    expect((await readdir(join(cacheDir, 'libs'))).sort()).toEqual(['kafka-clients.jar', `kafka_2.13-${KAFKA_VERSION}.jar`]);
  });

  it('redoes a fetch that failed or was cut short, and leaves no temporary directory', async () => {
    await mkdir(join(cacheDir, 'libs.tmp-999999'), { recursive: true }); // a killed fetch's leftovers
    const failing = async (dir: string) => {
      await mkdir(dir, { recursive: true });
      throw new Error('network down');
    };
    await expect(ensureKafkaJars({ cacheDir, fetch: failing, log: quiet })).rejects.toThrow(/network down/);
    expect(existsSync(join(cacheDir, 'libs.stamp.json'))).toBe(false);
    await ensureKafkaJars({ cacheDir, fetch: fakeFetch, log: quiet });
    expect(fetches).toBe(1);
    expect((await readdir(cacheDir)).filter((n) => n.startsWith('libs.tmp-'))).toEqual([]);
  });

  it('refetches when the jars were deleted under a good stamp', async () => {
    await ensureKafkaJars({ cacheDir, fetch: fakeFetch, log: quiet });
    await rm(join(cacheDir, 'libs'), { recursive: true });
    await ensureKafkaJars({ cacheDir, fetch: fakeFetch, log: quiet });
    expect(fetches).toBe(2);
  });

  it('caches under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultKafkaCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(`/x/facestream/kafka-${KAFKA_VERSION}`);
    expect(defaultKafkaCacheDir({})).toMatch(new RegExp(`/\\.cache/facestream/kafka-${KAFKA_VERSION}$`));
  });
});
