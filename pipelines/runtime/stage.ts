// The contract every stage implements. Stages never import a transport: the runtime (in-process queues or
// Kafka) calls them and carries what they forward. Records are treated as immutable.
import type { Logger } from 'pino';

export interface Clock {
  /** ms since the epoch */
  now(): number;
}

export interface StageContext<Out> {
  readonly stage: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Hands a record to the next stage; resolves when it has been accepted (back-pressure). */
  forward(record: Out): Promise<void>;
  /** Counts a named, non-fatal problem (e.g. a corrupt frame skipped); exposed as a metric. */
  count(what: string, n?: number): void;
}

/**
 * A camera went quiet: ingest — the only stage that sees the camera's real time — got no frame of it for
 * `ingest.camera_idle_timeout` (or its live source failed or was stopped). It travels after the camera's frames, in
 * their order, so a stall further down the pipeline (a broker restart, a stage reloading its models) is never taken
 * for a quiet camera.
 */
export interface CameraIdle {
  readonly camera: string;
  /** the camera's time when it was found idle, on its frames' `ts` scale (ms since the epoch) */
  readonly ts: number;
}

/** What a source is given: a stage's context, and a way to say its camera went quiet. */
export interface SourceContext<Out> extends StageContext<Out> {
  /** Sends `idle` on after every record forwarded before it; resolves when it has been accepted. */
  idle(idle: CameraIdle): Promise<void>;
  /**
   * Resolves once everything forwarded so far (and what stages made of it) has gone through every stage downstream.
   * Only where the runtime can tell (in process); on Kafka the records are the next process's business.
   */
  passedDownstream?(): Promise<void>;
}

/**
 * State a stage keeps across records, exposed per key (a camera, an episode scope) so the Kafka runtime can
 * commit it with the outputs and offsets it belongs to and restore it after a restart or a rebalance. Values
 * are plain data (structured clone: objects, arrays, typed arrays, Maps).
 */
export interface StageState {
  /** what changed since the last call, per key; a null value means the key holds nothing any more */
  takeChanges(): Array<readonly [key: string, value: unknown]>;
  /** replaces all state by `entries` (the keys this instance owns now) */
  restore(entries: ReadonlyArray<readonly [key: string, value: unknown]>): void;
}

export interface Stage<In, Out> {
  readonly name: string;
  /** present on stages whose state must survive a restart (track, episodes) */
  readonly state?: StageState;
  init?(ctx: StageContext<Out>): Promise<void> | void;
  /**
   * Processes what is available, in input order: one record, or up to `maxBatch` when the stage
   * declares it (the runtime never waits to fill a batch).
   */
  process(records: readonly In[], ctx: StageContext<Out>): Promise<void> | void;
  /** Largest batch `process` accepts; 1 when absent. */
  readonly maxBatch?: number;
  /**
   * Batches the in-process runtime may have in `process` at once (1 when absent). Only for a stage without
   * state between calls (detect): the next batch starts while the last waits on its model workers, so they
   * never sit idle at a batch boundary; outputs still go on in input order.
   */
  readonly batchesInFlight?: number;
  /**
   * Kafka runtime: how long the broker may hold a fetch to gather more input (fetch.max.wait.ms, with
   * fetch.min.bytes raised so that it waits) — for a stage whose every call has a large fixed cost, like a store
   * write, so that it gets about this much input at once instead of a record or two. Absent: the broker answers
   * as soon as anything is there.
   */
  readonly gatherMs?: number;
  /** Called periodically with the wall clock, for state that must expire while no input arrives (episodes). */
  punctuate?(now: number, ctx: StageContext<Out>): Promise<void> | void;
  readonly punctuateEveryMs?: number;
  /** Input has ended (end of file, shutdown): emit what state still holds. */
  flush?(ctx: StageContext<Out>): Promise<void> | void;
  /**
   * One camera's input has ended (its file finished) while others may go on: emit what state holds for it.
   * The Kafka runtime calls it when the camera's end-of-stream marker arrives; in process, `flush` does it.
   */
  endOfStream?(camera: string, ctx: StageContext<Out>): Promise<void> | void;
  /**
   * The camera went quiet (CameraIdle): end what state holds for it. The marker stops at the first stage that has
   * this hook (track); the runtimes pass it on through stages without it, after what they emitted before it.
   */
  idle?(idle: CameraIdle, ctx: StageContext<Out>): Promise<void> | void;
  close?(): Promise<void> | void;
}

/** A stage with no input: it produces records until its input is exhausted or `signal` aborts. */
export interface Source<Out> {
  readonly name: string;
  run(ctx: SourceContext<Out>, signal: AbortSignal): Promise<void>;
  close?(): Promise<void> | void;
}

export const systemClock: Clock = { now: () => Date.now() };
