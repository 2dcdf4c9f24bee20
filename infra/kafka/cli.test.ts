// The `kafka` command as a user runs it, in a throw-away state directory: up is idempotent, down stops the JVM,
// and the next up comes back on the same port with the user's topics.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../local-service/process.ts';
import { runCli } from '../local-service/testing.ts';
import type { CliRun } from '../local-service/testing.ts';

function kafkaCli(stateDir: string, ...args: string[]): Promise<CliRun> {
  return runCli('infra/kafka/cli.ts', stateDir, args, 90_000);
}

function brokersOf(r: CliRun): string {
  const m = /^KAFKA_BROKERS=(\S+)$/m.exec(r.stdout);
  expect(m, r.stderr).not.toBeNull();
  return m![1]!;
}

function pidOf(r: CliRun): number {
  return Number(/pid (\d+)/.exec(r.stderr)?.[1]);
}

describe('kafka CLI', () => {
  let stateDir = '';
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'facestream-kafka-cli-'));
  });
  afterAll(async () => {
    await kafkaCli(stateDir, 'down');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('up, up again, status, down, up on the same port with the data kept', async () => {
    const first = await kafkaCli(stateDir, 'up');
    expect(first.code, first.stderr).toBe(0);
    const address = brokersOf(first);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    const pid = pidOf(first);
    expect(isAlive(pid)).toBe(true);

    const again = await kafkaCli(stateDir, 'up');
    expect(brokersOf(again)).toBe(address);
    expect(again.stderr).toMatch(/already running/);
    expect(pidOf(again)).toBe(pid);

    const kafka = new Kafka({ brokers: [address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept-across-down' }] });
    await admin.disconnect();

    const status = await kafkaCli(stateDir, 'status');
    expect(status.code).toBe(0);
    expect(brokersOf(status)).toBe(address);

    const down = await kafkaCli(stateDir, 'down');
    expect(down.code, down.stderr).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect((await kafkaCli(stateDir, 'status')).code).toBe(1);
    expect((await kafkaCli(stateDir, 'down')).stderr).toMatch(/not running/);

    const back = await kafkaCli(stateDir, 'up');
    expect(back.code, back.stderr).toBe(0);
    expect(brokersOf(back)).toBe(address);
    const admin2 = kafka.admin();
    await admin2.connect();
    expect(await admin2.listTopics()).toContain('kept-across-down');
    await admin2.disconnect();
  });

  it('rejects an unknown command with its usage', async () => {
    const r = await kafkaCli(stateDir, 'sideways');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: kafka <up\|down\|status\|fetch>/);
  });
});
