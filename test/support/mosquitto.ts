// A real MQTT broker for tests: Debian's mosquitto (installed by infra/install-mqtt-broker.sh when missing) on a
// free loopback port, with its own config file in a temp dir (no persistence, anonymous clients), stopped by
// stop(). It dies with the test process anyway.
//
//   const broker = await startMosquitto();   // broker.url = mqtt://127.0.0.1:<port>
//   …
//   await broker.stop();
import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePorts, HOST } from '../../infra/local-service/ports.ts';

const BINARY = '/usr/sbin/mosquitto';
const INSTALL = fileURLToPath(new URL('../../infra/install-mqtt-broker.sh', import.meta.url));

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  /** what the broker wrote to stderr (its log), for failure messages */
  log(): string;
  /** stops the broker and removes its directory; safe to call twice */
  stop(): Promise<void>;
}

async function ensureMosquitto(): Promise<void> {
  try {
    await access(BINARY);
  } catch {
    await promisify(execFile)('bash', [INSTALL], { timeout: 300_000 });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port }, () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(): Promise<Mosquitto> {
  await ensureMosquitto();
  const dir = await mkdtemp(join(tmpdir(), 'facestream-mosquitto-'));
  const [port] = (await freePorts(1)) as [number];
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, [`listener ${port} ${HOST}`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', ''].join('\n'));
  const child = spawn(BINARY, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    })());
  const end = performance.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || performance.now() > end) {
      await stop();
      throw new Error(`mosquitto did not start on port ${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `mqtt://${HOST}:${port}`, port, log: () => log, stop };
}
