// `facestream serve` as a user runs it: embedded stores in a temporary data directory, any free port; the first
// start creates `admin` and prints its password once; /healthz and /readyz answer anyone, /api/v1 only with a
// token; SIGTERM closes everything and exits 0.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('serves the API and stops cleanly on SIGTERM', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'facestream-serve-'));
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  delete env['CLICKHOUSE_URL'];
  // with a broker serve relays enrolments to Kafka (and needs a registry): this test is the embedded box
  delete env['KAFKA_BROKERS'];
  delete env['FACESTREAM_ADMIN_PASSWORD'];
  const child = spawn(process.execPath, ['bin/facestream.js', 'serve', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /API listening on (http:\/\/\S+) /.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${url}/api/v1/camera-groups`)).status).toBe(401);
    const password = /created user admin with password (\S+) /.exec(stderr)?.[1];
    expect(password).toEqual(expect.any(String));
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const { key } = (await login.json()) as { key: string };
    const groups = (await (await fetch(`${url}/api/v1/camera-groups`, { headers: { authorization: `Bearer ${key}` } })).json()) as { results: { name: string }[] };
    expect(groups.results.map((g) => g.name)).toContain('Default');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/closed the API[\s\S]*closed the analytics store[\s\S]*closed the identity store/);
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
