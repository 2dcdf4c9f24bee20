// `facestream up --until-done` as the Kafka tests run it: a topology over the given broker and registry, topics
// under their own prefix, every line it and its children print kept for the failure message.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { up, type UpOptions } from '../../cli/up.ts';
import type { SourceArg } from '../../cli/up-plan.ts';

export interface UpRun {
  readonly topology: 'distributed' | 'edge';
  readonly sources: readonly SourceArg[];
  readonly watchlist: string;
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly prefix: string;
  readonly config?: string;
  readonly restartBackoff?: UpOptions['restartBackoff'];
  /** sees each status line of up (e.g. `started track (pid 123)`) */
  readonly onPrint?: (line: string) => void;
  /** stop the run after this long and resolve with code -1 and everything printed so far (a hang shows its log) */
  readonly deadlineMs?: number;
}

export async function upUntilDone(run: UpRun): Promise<{ readonly code: number; readonly log: readonly string[] }> {
  const log: string[] = [];
  const abort = new AbortController();
  let timedOut = false;
  const deadline = run.deadlineMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    log.push(`(deadline: stopped after ${run.deadlineMs} ms)`);
    abort.abort();
  }, run.deadlineMs);
  const code = await up({
    topology: run.topology,
    sources: run.sources,
    watchlist: run.watchlist,
    untilDone: true,
    handleSignals: false,
    ...(run.config ? { config: run.config } : {}),
    ...(run.restartBackoff ? { restartBackoff: run.restartBackoff } : {}),
    env: { ...process.env, KAFKA_BROKERS: run.brokers.join(','), SCHEMA_REGISTRY_URL: run.registryUrl, FACESTREAM_TOPIC_PREFIX: run.prefix },
    cwd: await mkdtemp(join(tmpdir(), 'fs-up-')),
    print: (l) => {
      log.push(l);
      run.onPrint?.(l);
    },
    output: (l) => log.push(`[${l.name}] ${l.line}`),
  }, abort.signal);
  clearTimeout(deadline);
  return { code: timedOut ? -1 : code, log };
}
