// The camera manager of the embedded topology (`facestream serve`): runs an ingest source in the running graph for
// every active camera in PostgreSQL and follows the API's changes (changed(id) after a create, patch or delete):
// a changed camera is restarted alone, the others keep running. A source that fails is started again after an
// exponential backoff (the supervisor's backoffDelay), capped low for live sources so a camera that returns is read
// again within seconds. Sources run in this process: a stalled read is ended by FFmpeg's own timeout
// (ingest.timeout_s), never aborted from JS (FACTS.md). The health of each camera is kept here (stats.ts).
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { backoffDelay } from '../../cli/supervisor.ts';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { getCamera, listCameras } from '../../stores/postgres/repositories/cameras.ts';
import type { Camera } from '../../stores/postgres/rows.ts';
import type { StageDeps, StageName } from '../registry.ts';
import type { AddedSource, DeadLetter, Tap } from '../runtime/inproc/run-graph.ts';
import type { Clock, Source, SourceContext } from '../runtime/stage.ts';
import { parseSource } from '../ingest/source-url.ts';
import { INGEST_COUNTERS } from '../ingest/stage.ts';
import { FINDFACE_HEALTH_RULES, HEALTH_STATUSES, nextChangeAt, type HealthRules } from './health.ts';
import { resolveCameraSettings, type CameraSettings } from './settings.ts';
import type { CameraSettingsView } from './settings-view.ts';
import { CameraStats, cameraOf, deadLetterKind, type CameraHealth } from './stats.ts';

/** What the manager needs of the running graph (topologies/build-inproc.ts InProcessRun). */
export interface CameraGraph {
  addSource(name: StageName, deps: Pick<StageDeps, 'source'> & Partial<Pick<StageDeps, 'config'>>, wrap?: (source: Source<unknown>) => Source<unknown>): AddedSource;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Live sources: reconnect within ~2 s of the camera's return (plus ~1 s to open RTSP); files: a slower retry. */
export const LIVE_BACKOFF: Backoff = { initialMs: 250, maxMs: 2_000 };
export const FILE_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 60_000 };

export interface CameraManagerOptions {
  readonly db: Queryable;
  readonly graph: CameraGraph;
  readonly config: Readonly<FacestreamConfig>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly registry?: Registry;
  readonly rules?: HealthRules;
  readonly backoff?: { readonly live: Backoff; readonly file: Backoff };
  /** a camera's colour changed (for the status writer) */
  readonly onStatus?: (camera: string, health: CameraHealth) => void;
  /** how often the cameras are compared with PostgreSQL besides the API's changes (ms; 30 s by default, 0 = never) */
  readonly resyncEveryMs?: number;
  /**
   * Where the stages after ingest (track's ROI/ROT and posting rules, match's alert mode) read each camera's settings:
   * set as its job starts, dropped when the camera is deleted. Ingest is built with the camera's own config here.
   */
  readonly settings?: CameraSettingsView;
}

/** The pipeline's name of a PostgreSQL camera: its id, which never changes (a rename restarts nothing). */
export const cameraKey = (id: number): string => String(id);

/** What makes a camera's job: a change to any of these restarts it. */
function jobOf(c: Camera): string {
  return JSON.stringify([c.url, c.active, c.camera_group_id, c.stream_settings, c.restarts]);
}

class CameraJob {
  private current: AddedSource | null = null;
  private retry: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private failuresInARow = 0;
  private stopped = false;
  /** resolves when the current run has ended (and its retry has not started) */
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly camera: Camera,
    readonly key: string,
    readonly stats: CameraStats,
    private readonly m: CameraManager,
  ) {}

  get job(): string {
    return jobOf(this.camera);
  }

  start(): void {
    if (!this.camera.active) {
      this.stats.disabled();
      this.m.reported(this);
      return;
    }
    this.attempt();
  }

  private attempt(): void {
    this.retry = null;
    if (this.stopped) return;
    let settings: CameraSettings;
    try {
      settings = this.m.settingsOf(this.camera);
    } catch (err) {
      // settings the API let through but this version cannot apply: the camera cannot be processed
      this.stats.started();
      this.fail(err as Error, false);
      return;
    }
    const live = parseSource(this.camera.url).live;
    this.stats.started();
    this.m.reported(this);
    let source: AddedSource;
    try {
      source = this.m.opts.graph.addSource(
        'ingest',
        { source: { camera: this.key, url: this.camera.url, jobStartMs: this.m.opts.clock.now() }, config: { ...this.m.opts.config, ingest: settings.ingest } },
        (inner) => this.counted(inner),
      );
    } catch (err) {
      this.fail(err as Error, live);
      return;
    }
    this.current = source;
    this.running = source.done.then(
      () => {
        this.current = null;
        if (this.stopped) return;
        // a live stream never ends by itself (ingest throws ended_early); a file was read to its end
        this.stats.finished();
        this.m.reported(this);
        this.m.opts.logger.info({ camera: this.key }, 'camera source finished');
      },
      (err: unknown) => {
        this.current = null;
        if (!this.stopped) this.fail(err as Error, live);
      },
    );
  }

  private fail(err: Error, live: boolean): void {
    this.failuresInARow++;
    const delayMs = backoffDelay(this.failuresInARow, live ? this.m.backoff.live : this.m.backoff.file);
    this.stats.failed(err.message);
    this.m.reported(this);
    this.m.opts.logger.warn({ camera: this.key, err: err.message, retryInMs: delayMs, failuresInARow: this.failuresInARow }, 'camera source failed; retrying');
    this.retry = setTimeout(() => this.attempt(), delayMs);
  }

  /** The ingest source with a shell that counts its frames and problems for this camera and ends its tracks at its end. */
  private counted(inner: Source<unknown>): Source<unknown> {
    const job = this;
    return {
      name: inner.name,
      async run(ctx: SourceContext<unknown>, signal: AbortSignal): Promise<void> {
        let lastTs: number | null = null;
        let reading = false;
        /** the source delivers: the job runs (a still scene's frames are held back by the motion gate, but come) */
        const delivers = () => {
          if (reading) return;
          reading = true;
          job.failuresInARow = 0;
          job.stats.frameRead();
          job.m.reported(job);
        };
        try {
          await inner.run(
            {
              ...ctx,
              count: (what, n = 1) => {
                if (what === INGEST_COUNTERS.imotionSkipped) delivers();
                job.stats.count(what, n);
                ctx.count(what, n);
              },
              forward: async (frame) => {
                delivers();
                lastTs = (frame as { ts: number }).ts;
                await ctx.forward(frame);
              },
            },
            signal,
          );
        } finally {
          // a file's end (or a stop) leaves its last tracks open otherwise: the graph does not end with it
          if (lastTs !== null) await ctx.idle({ camera: job.key, ts: lastTs });
        }
        // a file read to its end is `finished` (when this returns) only once its last posts, events and episodes
        // are through every stage: a client waiting for `finished` does not see it before them
        if (!signal.aborted) await ctx.passedDownstream?.();
      },
      close: () => inner.close?.(),
    };
  }

  /** Reports the colour again when it turns by itself (yellow → green after the settling time). */
  scheduleStatusCheck(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    const now = this.m.opts.clock.now();
    const at = nextChangeAt(this.stats.facts, now, this.m.rules);
    if (at === null || this.stopped) return;
    this.statusTimer = setTimeout(() => this.m.reported(this), at - now + 1);
    this.statusTimer.unref();
  }

  /** Stops the job; resolves once its source has ended (a blocked read ends at FFmpeg's timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.current?.stop();
    await this.running;
  }
}

/** What the API asks of the cameras this process runs (api/routes/cameras.ts). */
export interface CameraRuntime {
  /** a camera was created, changed or deleted */
  changed(id: number): Promise<void>;
  /** its live health; undefined for a camera this process does not run */
  health(id: number): CameraHealth | undefined;
}

export class CameraManager implements CameraRuntime {
  private readonly jobs = new Map<number, CameraJob>();
  /** a camera's changes are applied one after another */
  private readonly queues = new Map<number, Promise<void>>();
  private closed = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  readonly rules: HealthRules;
  readonly backoff: { readonly live: Backoff; readonly file: Backoff };
  private readonly statusGauge?: Gauge<'camera'>;
  private readonly fpsGauge?: Gauge<'camera'>;

  constructor(readonly opts: CameraManagerOptions) {
    this.rules = opts.rules ?? FINDFACE_HEALTH_RULES;
    this.backoff = opts.backoff ?? { live: LIVE_BACKOFF, file: FILE_BACKOFF };
    if (opts.registry) {
      const registers = [opts.registry];
      this.statusGauge = new Gauge({
        name: 'facestream_camera_status',
        help: `camera health: ${HEALTH_STATUSES.map((s, k) => `${k} ${s}`).join(', ')}`,
        labelNames: ['camera'],
        registers,
      });
      // fps moves without a change of status: read on scrape
      const jobs = () => this.jobs.values();
      this.fpsGauge = new Gauge({
        name: 'facestream_camera_processing_fps',
        help: 'frames a second through detection, per camera',
        labelNames: ['camera'],
        registers,
        collect() {
          for (const job of jobs()) this.set({ camera: job.key }, job.stats.health().processing_fps);
        },
      });
      new Gauge({
        name: 'facestream_cameras',
        help: 'cameras known to this process',
        registers,
        collect() {
          this.set([...jobs()].length);
        },
      });
    }
  }

  /**
   * Starts a job for every camera in PostgreSQL (inactive ones are shown grey), then compares them with PostgreSQL
   * every `resyncEveryMs`, for changes that did not come through this process's API (another API process on the same
   * server, SQL by hand).
   */
  async start(): Promise<void> {
    for (const camera of await this.allCameras()) this.launch(camera);
    this.opts.logger.info({ cameras: this.jobs.size }, 'camera manager started');
    const every = this.opts.resyncEveryMs ?? 30_000;
    if (every > 0) {
      this.resyncTimer = setInterval(() => void this.resync().catch((err: unknown) => this.opts.logger.warn({ err: (err as Error).message }, 'cameras: re-reading PostgreSQL failed')), every);
      this.resyncTimer.unref();
    }
  }

  /** Applies what differs between PostgreSQL and the running jobs (added, changed, deleted cameras). */
  async resync(): Promise<void> {
    const cameras = new Map((await this.allCameras()).map((c) => [c.id, c]));
    const differ = new Set([...this.jobs.keys()].filter((id) => !cameras.has(id)));
    for (const [id, camera] of cameras) if (this.jobs.get(id)?.job !== jobOf(camera)) differ.add(id);
    await Promise.all([...differ].map((id) => this.changed(id)));
  }

  private async allCameras(): Promise<Camera[]> {
    const all: Camera[] = [];
    for (let after: number | undefined; ; ) {
      const page = await listCameras(this.opts.db, { limit: 1000, ...(after !== undefined ? { after_id: after } : {}) });
      all.push(...page);
      if (page.length < 1000) return all;
      after = page[page.length - 1]!.id;
    }
  }

  /** A camera was created, changed or deleted: its job follows PostgreSQL; the others are left alone. */
  changed(id: number): Promise<void> {
    const next = (this.queues.get(id) ?? Promise.resolve()).then(() => this.reconcile(id));
    const settled = next.catch((err: unknown) => this.opts.logger.error({ camera: id, err: (err as Error).message }, 'camera change could not be applied'));
    this.queues.set(id, settled);
    return settled;
  }

  health(id: number): CameraHealth | undefined {
    return this.jobs.get(id)?.stats.health();
  }

  /** Every camera's health, by the pipeline's camera name (cameraKey). */
  healths(): Map<string, CameraHealth> {
    return new Map([...this.jobs.values()].map((job) => [job.key, job.stats.health()]));
  }

  /** Taps for the graph: frames out of detection and faces posted, counted per camera. */
  taps(): { readonly detections: Tap; readonly faces: Tap } {
    const on = (record: unknown, count: (stats: CameraStats) => void) => {
      const camera = cameraOf(record);
      const job = camera !== null ? this.byKey(camera) : undefined;
      if (job) count(job.stats);
    };
    return {
      detections: (r) => on(r, (s) => s.frameProcessed()),
      faces: (r) => on(r, (s) => s.facePosted()),
    };
  }

  /** The graph's dead letters, counted against their camera. */
  deadLetter(letter: DeadLetter): void {
    const camera = cameraOf(letter.record);
    const job = camera !== null ? this.byKey(camera) : undefined;
    if (!job) return;
    job.stats.deadLetter(letter, deadLetterKind(letter));
    this.reported(job);
  }

  /** Stops every job; resolves when their sources have ended. */
  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    await Promise.all(this.queues.values());
    await Promise.all([...this.jobs.values()].map((job) => job.stop()));
  }

  /** @internal a job's facts changed: report a changed colour, and plan the next check */
  reported(job: CameraJob): void {
    const before = job.stats.lastReported;
    const health = job.stats.health();
    this.statusGauge?.set({ camera: job.key }, HEALTH_STATUSES.indexOf(health.status));
    job.scheduleStatusCheck();
    if (health.status === before) return;
    job.stats.lastReported = health.status;
    this.opts.logger.info({ camera: job.key, status: health.status, state: health.state, ...(health.last_error ? { error: health.last_error } : {}) }, `camera ${health.status}`);
    this.opts.onStatus?.(job.key, health);
  }

  /** @internal the camera's effective settings, also handed to the stages that read them per camera */
  settingsOf(camera: Camera): CameraSettings {
    const key = cameraKey(camera.id);
    const group = String(camera.camera_group_id);
    return this.opts.settings?.set(key, camera.stream_settings, group) ?? resolveCameraSettings(camera.stream_settings, this.opts.config, group, `camera ${key}: stream_settings`);
  }

  private byKey(key: string): CameraJob | undefined {
    const id = Number(key);
    return Number.isInteger(id) ? this.jobs.get(id) : undefined;
  }

  private launch(camera: Camera, stats?: CameraStats): void {
    const job = new CameraJob(camera, cameraKey(camera.id), stats ?? new CameraStats(() => this.opts.clock.now(), this.rules), this);
    this.jobs.set(camera.id, job);
    job.start();
  }

  private async reconcile(id: number): Promise<void> {
    if (this.closed) return;
    const camera = await getCamera(this.opts.db, id);
    const job = this.jobs.get(id);
    if (job && camera && job.job === jobOf(camera)) return; // a rename, a comment: nothing to restart
    if (job) {
      await job.stop();
      this.jobs.delete(id);
      this.statusGauge?.remove({ camera: job.key });
      this.fpsGauge?.remove({ camera: job.key });
    }
    if (!camera) {
      this.opts.settings?.delete(cameraKey(id));
      this.opts.logger.info({ camera: id }, 'camera deleted: its job stopped');
      return;
    }
    this.opts.logger.info({ camera: id, active: camera.active }, job ? 'camera changed: its job restarted' : 'camera added');
    // the counters run on over restarts (job_starts counts them)
    this.launch(camera, job?.stats);
  }
}
