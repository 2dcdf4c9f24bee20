// The store factory's choices and the chdb guards (one data directory per process, never in a worker thread).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickHouseTarget, openClickHouse, redactUrl, ClickHouseStoreError, type ClickHouseStore } from './client.ts';

describe('clickHouseTarget', () => {
  it('is a server when a URL is set, else embedded chdb in the data directory', () => {
    expect(clickHouseTarget({ url: ' http://ch:8123 ', database: 'fs', data_dir: 'x' })).toEqual({ kind: 'server', url: 'http://ch:8123', database: 'fs' });
    expect(clickHouseTarget({ url: '', database: 'fs', data_dir: 'data/ch' })).toEqual({ kind: 'embedded', dataDir: resolve('data/ch') });
  });

  it('hides passwords in messages', () => {
    expect(redactUrl('http://u:secret@ch:8123/')).toBe('http://u:***@ch:8123/');
  });
});

describe('embedded store', () => {
  let dir: string;
  let store: ClickHouseStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facestream-ch-client-'));
    store = await openClickHouse({ kind: 'embedded', dataDir: join(dir, 'a') });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers through @clickhouse/client with 64-bit integers quoted', async () => {
    const rs = await store.client.query({ query: 'SELECT toUInt64(9007199254740993) AS big', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ big: '9007199254740993' }]);
  });

  it('shares the data directory within the process and refuses a second one', async () => {
    const same = await openClickHouse({ kind: 'embedded', dataDir: join(dir, 'a') });
    await same.close();
    await same.close(); // twice is fine
    await expect(openClickHouse({ kind: 'embedded', dataDir: join(dir, 'b') })).rejects.toThrow(/one data directory per process/);
    // the first store still works
    const rs = await store.client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ one: 1 }]);
  });

  it('refuses to open chdb inside a worker thread (where it hangs)', async () => {
    const url = new URL('./client.ts', import.meta.url).href;
    // a worker starts without loader hooks: register tsx (as models/worker/entry.js does), then open the store
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const code = `
      import { workerData, parentPort } from 'node:worker_threads';
      import { register } from '${tsx}';
      register();
      const m = await import(workerData.url);
      await m.openClickHouse({ kind: 'embedded', dataDir: workerData.dir }).then(
        () => parentPort.postMessage('opened'), (e) => parentPort.postMessage(e.name + ': ' + e.message));`;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { url, dir: join(dir, 'w') } });
    const message = await new Promise<string>((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    await worker.terminate();
    expect(message).toMatch(/^ClickHouseStoreError: .*worker threads/);
    expect(ClickHouseStoreError.name).toBe('ClickHouseStoreError');
  });
});
