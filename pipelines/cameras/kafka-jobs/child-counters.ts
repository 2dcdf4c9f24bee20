// How a camera's child tells its worker what it counted: every few seconds one log line (`camera counters`, pino JSON
// on stdout, which the worker's supervisor reads anyway) with the totals since the child started, read from the
// child's own Prometheus registry (pipelines/runtime/metrics.ts). The worker turns them into the camera's status
// (worker-status.ts). Frames are those out of detection where the child runs it (edge), else those ingest handed on
// to it; faces are the tracker's posts where the child tracks (edge), else 0. A live source's failure (the child
// reconnects by itself) is a line of its own, and so is its first frame after that.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { INGEST_COUNTERS } from '../../ingest/stage.ts';
import { SOURCE_BACK_MSG, SOURCE_RETRY_MSG } from './retrying-source.ts';

export const COUNTERS_MSG = 'camera counters';

export interface ChildCounters {
  readonly frames: number;
  readonly faces: number;
  readonly imotionSkipped: number;
  readonly decodingSoftErrors: number;
}

async function values(registry: Registry, metric: string): Promise<ReadonlyArray<{ readonly labels: Partial<Record<string, string | number>>; readonly value: number }>> {
  return (await registry.getSingleMetric(metric)?.get())?.values ?? [];
}

/** The totals in a child's registry now. */
export async function readChildCounters(registry: Registry): Promise<ChildCounters> {
  const out = await values(registry, 'facestream_stage_records_out_total');
  const problems = await values(registry, 'facestream_stage_problems_total');
  const outOf = (stage: string) => out.find((v) => v.labels['stage'] === stage)?.value;
  const problem = (what: string) => problems.filter((v) => v.labels['stage'] === 'ingest' && v.labels['what'] === what).reduce((n, v) => n + v.value, 0);
  return {
    frames: outOf('detect') ?? outOf('ingest') ?? 0,
    faces: outOf('track') ?? 0,
    imotionSkipped: problem(INGEST_COUNTERS.imotionSkipped),
    decodingSoftErrors: problem(INGEST_COUNTERS.corruptFrames),
  };
}

/** Logs the counters every `everyMs` until the returned stop() (which logs them once more). */
export function logChildCounters(registry: Registry, logger: Pick<Logger, 'info'>, everyMs: number): () => Promise<void> {
  const log = async () => logger.info({ counters: await readChildCounters(registry) }, COUNTERS_MSG);
  const timer = setInterval(() => void log(), everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await log();
  };
}

/** A child's pino line with message `msg`, parsed; undefined for any other line. */
function childLogOf(line: string, msg: string): Record<string, unknown> | undefined {
  if (!line.includes(msg)) return undefined;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return parsed['msg'] === msg ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The counters in a child's output line, or undefined for any other line. */
export function childCountersOf(line: string): ChildCounters | undefined {
  const counters = childLogOf(line, COUNTERS_MSG)?.['counters'] as ChildCounters | undefined;
  return typeof counters?.frames === 'number' ? counters : undefined;
}

/** Whether the line says the child's live source delivers again after failing. */
export function childSourceBackIn(line: string): boolean {
  return childLogOf(line, SOURCE_BACK_MSG) !== undefined;
}

/** Why the child's live source failed (it reconnects: retrying-source.ts), or undefined for any other line. */
export function childSourceFailureOf(line: string): string | undefined {
  const err = childLogOf(line, SOURCE_RETRY_MSG)?.['err'];
  return typeof err === 'string' ? err : undefined;
}
