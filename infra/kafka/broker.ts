// A real single-node Apache Kafka 3.9.1 broker (KRaft, broker+controller in one JVM) on loopback, for tests,
// benchmarks and local use. startKafka() fetches the jars once (jars.ts), writes the config into a data directory,
// formats it the first time, starts the JVM and resolves once a kafkajs admin gets an answer from it.
//
// No JVM is left behind: unless `detached`, a watchdog kills it when the Node process that started it dies (even by
// SIGKILL), and exit/signal handlers stop it on a normal exit or Ctrl-C.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { fileSize, tailFile, tailSection } from '../local-service/log.ts';
import { freePorts } from '../local-service/ports.ts';
import { commandLine, isAlive, stopPid } from '../local-service/process.ts';
import type { Shutdown } from '../local-service/process.ts';
import { ServiceProcess, supervision } from '../local-service/service-process.ts';
import type { Supervision } from '../local-service/service-process.ts';
import { HOST, brokerLayout, log4jProperties, serverProperties } from './config.ts';
import type { BrokerLayout, BrokerPorts } from './config.ts';
import { ensureKafkaJars } from './jars.ts';
import { errorEntries } from './log.ts';

export interface StartKafkaOptions {
  /** Where config, data and logs go. Default: a fresh temporary directory, removed by stop(). A given one is kept. */
  readonly dataDir?: string;
  /** Client (PLAINTEXT) port. Default: a free loopback port. */
  readonly port?: number;
  /** KRaft controller port. Default: a free loopback port. */
  readonly controllerPort?: number;
  /** Let the broker outlive this process (its own session; no exit handlers). For `kafka up`. */
  readonly detached?: boolean;
  /**
   * The process whose death kills the broker. Default: this process, or none when detached. A detached broker with an
   * owner outlives the process that started it but not the owner (the test runner's shared broker).
   */
  readonly ownerPid?: number;
  /** The jars; default: ensureKafkaJars(). */
  readonly libsDir?: string;
  /** JVM flags; default DEFAULT_JVM_OPTIONS. */
  readonly jvmOptions?: readonly string[];
  /** How long to wait for the broker to answer. Default 60 s. */
  readonly readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 15 s. */
  readonly stopTimeoutMs?: number;
}

export interface KafkaBroker {
  /** Bootstrap addresses for clients, e.g. ['127.0.0.1:40123']. Unchanged by restart(). */
  readonly brokers: string[];
  /** The JVM's pid (a new one after restart()). */
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  /** The broker's log4j log. */
  readonly logFile: string;
  /** SIGTERM, SIGKILL after the deadline; resolves once the JVM has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the JVM and starts it again on the same ports and data directory; data written before survives. */
  restart(): Promise<void>;
}

/**
 * Small heap, serial GC, C1 only: a test broker starts in a few seconds on 2 shared cores and stays small.
 * -Xms256m/-Xmx512m instead of Kafka's 1 GiB default.
 */
export const DEFAULT_JVM_OPTIONS: readonly string[] = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
];
const FORMAT_JVM_OPTIONS: readonly string[] = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData'];
const JAVA_HINT = 'A Java 17+ runtime runs the local Kafka broker: apt-get install openjdk-17-jre-headless';

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const libsDir = opts.libsDir ?? (await ensureKafkaJars());
  const ownsDataDir = opts.dataDir === undefined;
  // Absolute: the JVM runs with the data directory as its working directory.
  const dataDir = opts.dataDir !== undefined ? resolvePath(opts.dataDir) : await mkdtemp(join(tmpdir(), 'facestream-kafka-'));
  try {
    const [p1, p2] = opts.port !== undefined && opts.controllerPort !== undefined ? [] : await freePorts(2);
    const ports: BrokerPorts = { port: opts.port ?? p1!, controllerPort: opts.controllerPort ?? p2! };
    const broker = new LocalKafka({
      libsDir,
      layout: brokerLayout(dataDir),
      ports,
      supervision: supervision(opts, ownsDataDir ? dataDir : undefined),
      jvmOptions: opts.jvmOptions ?? DEFAULT_JVM_OPTIONS,
      readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 15_000,
    });
    await broker.launch();
    return broker;
  } catch (err) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** True if `pid` is a running broker started from `dataDir` (guards against a recycled pid in a state file). */
export function isKafkaProcess(pid: number, dataDir: string): boolean {
  const argv = commandLine(pid);
  const serverProps = brokerLayout(resolvePath(dataDir)).serverProperties;
  return isAlive(pid) && argv !== undefined && argv.includes('kafka.Kafka') && argv.includes(serverProps);
}

/** Stops a broker by pid (e.g. one started detached by another process). */
export async function stopKafkaPid(pid: number, graceMs = 15_000): Promise<void> {
  await stopPid(pid, kafkaShutdown(graceMs));
}

/** The JVM's orderly shutdown is SIGTERM (controlled shutdown, logs flushed); SIGKILL after `graceMs`. */
function kafkaShutdown(graceMs: number): Shutdown {
  return [{ signal: 'SIGTERM', waitMs: graceMs }];
}

interface Settings {
  readonly libsDir: string;
  readonly layout: BrokerLayout;
  readonly ports: BrokerPorts;
  readonly supervision: Supervision;
  readonly jvmOptions: readonly string[];
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

class LocalKafka implements KafkaBroker {
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Where this start's lines begin in the log, to quote its errors on failure. */
  #logOffset = 0;

  private readonly s: Settings;
  private readonly proc: ServiceProcess;

  constructor(s: Settings) {
    this.s = s;
    this.brokers = [`${HOST}:${s.ports.port}`];
    ({ port: this.port, controllerPort: this.controllerPort } = s.ports);
    ({ dataDir: this.dataDir, logFile: this.logFile } = s.layout);
    this.proc = new ServiceProcess({ name: 'kafka', shutdown: kafkaShutdown(s.stopTimeoutMs), ...s.supervision });
  }

  /** The JVM's: a new one after restart(). */
  get pid(): number {
    return this.proc.pid;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }

  async restart(): Promise<void> {
    if (this.proc.stopped) throw new Error('restart() after stop(): start a new broker instead');
    await this.proc.halt();
    await this.launch();
  }

  /** Writes the config, formats the storage the first time, starts the JVM and waits until it answers. */
  async launch(): Promise<void> {
    const { layout } = this.s;
    await mkdir(join(layout.dataDir, 'logs'), { recursive: true });
    await writeFile(layout.serverProperties, serverProperties(layout, this.s.ports));
    await writeFile(layout.log4jProperties, log4jProperties(layout));
    this.#logOffset = await fileSize(layout.logFile);
    if (!existsSync(join(layout.logDirs, 'meta.properties'))) await this.format();
    const command = {
      file: 'java',
      args: [...this.s.jvmOptions, ...this.javaBase(), 'kafka.Kafka', layout.serverProperties],
      cwd: layout.dataDir,
      outFile: layout.outFile,
      notFound: `java not found on PATH. ${JAVA_HINT}`,
    };
    await this.proc.start(command, () => this.waitReady());
  }

  private javaBase(): string[] {
    return [`-Dlog4j.configuration=file:${this.s.layout.log4jProperties}`, '-cp', `${this.s.libsDir}/*`];
  }

  private format(): Promise<void> {
    const { layout } = this.s;
    // Kafka's Uuid.randomUuid(): 16 random bytes in URL-safe base64 without padding, never starting with '-'.
    // Made here rather than by `StorageTool random-uuid`, which would cost one more JVM start.
    let clusterId: string;
    do clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-'));
    const args = [...FORMAT_JVM_OPTIONS, ...this.javaBase(), 'kafka.tools.StorageTool', 'format'];
    args.push('-t', clusterId, '-c', layout.serverProperties, '--ignore-formatted');
    return new Promise((resolve, reject) => {
      execFile('java', args, { cwd: layout.dataDir, timeout: 120_000 }, (err, stdout, stderr) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error(`java not found on PATH. ${JAVA_HINT}`));
        reject(new Error(`formatting the Kafka storage in ${layout.logDirs} failed: ${err.message}\n${stdout}${stderr}`));
      });
    });
  }

  private waitReady(): Promise<void> {
    const kafka = new Kafka({
      clientId: 'facestream-kafka-ready',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    });
    const probe = async (): Promise<boolean> => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        return (await admin.describeCluster()).brokers.length > 0;
      } catch {
        return false; // not up yet
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    };
    const failure = (what: string) => this.failure(what);
    return this.proc.waitReady({ subject: 'the broker', timeoutMs: this.s.readyTimeoutMs, intervalMs: 250, probe, failure });
  }

  private async failure(what: string): Promise<Error> {
    const { layout } = this.s;
    const out = await tailFile(layout.outFile, 30);
    const errors = await errorEntries(layout.logFile, this.#logOffset);
    const parts = [`Kafka on ${this.brokers.join(',')}: ${what} (pid ${this.pid}, data ${layout.dataDir}).`];
    if (errors) parts.push(`--- errors in ${layout.logFile} ---\n${errors}`);
    if (out) parts.push(`--- ${layout.outFile} (last lines) ---\n${out}`);
    parts.push(await tailSection(layout.logFile, 30, 'no broker log'));
    return new Error(parts.join('\n'));
  }
}
