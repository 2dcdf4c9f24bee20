// `facestream analyze <video | rtsp-url>`: runs the embedded topology over one source, prints events and
// episodes as they happen, and writes the report (docs/REPORT.md).
import { writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { problemsOf } from '../config/validate.ts';
import { probeVideo } from '../pipelines/ingest/index.ts';
import { setFfmpegLogging } from '../pipelines/ingest/ffmpeg-log.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { AnalysisCollector } from '../report/collector.ts';
import { Report } from '../report/schema.ts';
import type { EpisodeChange, FaceEvent, Frame, FrameDetections } from '../schemas/records.ts';
import { ANALYTICS_SINK_STAGES } from '../pipelines/sink-clickhouse/index.ts';
import type { OpenedAnalytics } from '../pipelines/sink-clickhouse/open.ts';
import { ClipRecorder, type RecordedClip } from '../pipelines/clips/recorder.ts';
import { buildInProcess } from '../topologies/build-inproc.ts';
import { embeddedTopology } from '../topologies/embedded.ts';
import { withoutStages } from '../topologies/plan.ts';
import { createRunContext, type ContextOptions } from './context.ts';
import { formatEpisode, formatEvent } from './print.ts';
import { createProgress } from './progress.ts';
import { VERSION } from './version.ts';

export interface AnalyzeOptions extends Omit<ContextOptions, 'onRejected'> {
  readonly source: string;
  readonly out?: string;
  readonly progress: boolean;
  /** print each event and episode as it happens (on by default) */
  readonly printEvents?: boolean;
  readonly logLevel: string;
  /**
   * `--store [dir]`: also write the events and episodes to ClickHouse — the embedded chdb in `dir` (true:
   * stores.clickhouse.data_dir), or the server of CLICKHOUSE_URL. Off by default (docs/CLICKHOUSE.md).
   */
  readonly store?: string | true;
  /** `--clips dir`: record an MP4 of each episode under dir (pipelines/clips, docs/CLIPS.md) */
  readonly clipsDir?: string;
}

export interface AnalyzeResult {
  readonly report: Report;
  /** with `store`: where the rows went and how many were written */
  readonly stored?: { readonly target: string; readonly events: number; readonly episodeChanges: number };
  /** with `clipsDir`: the clips written */
  readonly clips?: readonly RecordedClip[];
  /** set when the source failed part-way: the report holds what was analysed before */
  readonly sourceError?: Error;
}

export async function analyze(opts: AnalyzeOptions, signal?: AbortSignal): Promise<AnalyzeResult> {
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  setFfmpegLogging(logger.isLevelEnabled('debug'));
  const ctx = await createRunContext({ ...opts, onRejected: (m) => console.error(`facestream: watch list: skipped ${m}`) });
  let analytics: OpenedAnalytics | undefined;
  try {
    const { config } = ctx;
    if (opts.store !== undefined) {
      // loaded only here: the store clients (and chdb's engine) stay out of a plain analyze
      const { openAnalytics } = await import('../pipelines/sink-clickhouse/open.ts');
      analytics = await openAnalytics({ config, logger, writeThrough: false, ...(typeof opts.store === 'string' ? { dataDir: opts.store } : {}) });
    }
    const topology = analytics ? embeddedTopology : withoutStages(embeddedTopology, ANALYTICS_SINK_STAGES);
    const info = await probeVideo(opts.source, { rtsp_transport: config.ingest.rtsp_transport, timeout_s: config.ingest.timeout_s });
    const started = systemClock.now();
    const collector = new AnalysisCollector();
    const sampledFps = config.ingest.fps > 0 && info.fps > 0 ? Math.min(config.ingest.fps, info.fps) : config.ingest.fps;
    const expectedFrames = info.durationS ? Math.round(info.durationS * (sampledFps || info.fps)) : 0;
    const progress = createProgress(expectedFrames, opts.progress);
    const print = opts.printEvents === false ? () => {} : progress.log;
    let deadLetters = 0;
    const clips: RecordedClip[] = [];
    const recorder = opts.clipsDir
      ? new ClipRecorder({ dir: opts.clipsDir, config: config.clips, logger, onClip: (c) => (clips.push(c), print(`clip ${c.path} (${(c.endT - c.startT).toFixed(1)} s)`)) })
      : null;
    const run = buildInProcess(topology, 'main', {
      deps: {
        config,
        models: ctx.models,
        index: ctx.index,
        source: { camera: config.camera, url: opts.source, jobStartMs: started, ...(recorder ? { onPacket: recorder.packetTap(config.camera) } : {}) },
        onTrackedFrame: collector.onTrackedFrame,
        ...(analytics ? { analytics: { sink: analytics.sink, writeThrough: analytics.writeThrough } } : {}),
      },
      taps: {
        frames: [(f) => (collector.onFrame(f as Frame), recorder?.onFrame(f as Frame))],
        detections: [
          (d) => {
            collector.onDetections(d as FrameDetections);
            progress.update({ frames: collector.frames, faces: collector.faces, tracks: collector.trackIds.size, matches: collector.matchedEvents });
          },
        ],
        matches: [
          (e) => {
            collector.onEvent(e as FaceEvent);
            print(formatEvent(e as FaceEvent));
          },
        ],
        episodes: [
          (c) => {
            collector.onEpisodeChange(c as EpisodeChange);
            recorder?.onEpisode(c as EpisodeChange);
            const line = formatEpisode(c as EpisodeChange);
            if (line) print(line);
          },
        ],
      },
      logger,
      registry: new Registry(),
      clock: systemClock,
      ...(signal ? { signal } : {}),
      onDeadLetter: (l) => {
        deadLetters++;
        progress.log(`facestream: ${l.stage} could not process a record: ${l.reason}`);
      },
    });
    let sourceError: Error | undefined;
    try {
      await run.graph.run();
    } catch (err) {
      sourceError = err as Error;
    } finally {
      await recorder?.close();
      progress.stop();
    }
    let stored: AnalyzeResult['stored'];
    if (analytics) {
      await analytics.close(); // writes what the sink still holds
      const counts = analytics.sink.counts();
      const target = analytics.store.target.kind === 'embedded' ? analytics.store.target.dataDir : 'CLICKHOUSE_URL';
      stored = { target, events: counts.eventsWritten, episodeChanges: counts.episodeChangesWritten };
      if (opts.printEvents !== false) console.error(`facestream: wrote ${stored.events} events and ${stored.episodeChanges} episode changes to ClickHouse (${target})`);
    }
    const elapsedS = (systemClock.now() - started) / 1000;
    const lastT = collector.lastFrameT;
    const report = collector.build({
      version: VERSION,
      source: {
        url: opts.source,
        camera: config.camera,
        width: info.width,
        height: info.height,
        fps: info.fps,
        sampled_fps: sampledFps,
        duration_s: info.durationS ?? lastT,
        mode: config.best_shot.overall_only ? 'overall' : 'realtime',
      },
      watchlist: {
        dir: ctx.watchlist?.dir ?? null,
        dossiers: ctx.watchlist?.dossiers.map((d) => ({ name: d.name, photos: [...d.photos] })) ?? [],
        rejected: ctx.watchlist?.rejected.map((r) => ({ ...r })) ?? [],
      },
      tracks: run.stages.track?.trackStats() ?? [],
      elapsedS,
      corruptFrames: run.stages.ingest?.lastSummary()?.corrupt ?? 0,
      missingFrames: run.stages.ingest?.lastSummary()?.missing ?? 0,
      deadLetters,
      matchThreshold: config.match.confidence_threshold,
      normalQuality: config.best_shot.filter_min_quality,
      now: new Date(),
    });
    const problems = problemsOf(Report, report);
    if (problems.length > 0) throw new Error(`internal error: the report does not match its schema:\n  - ${problems.join('\n  - ')}`);
    if (opts.out) await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    return { report, ...(sourceError ? { sourceError } : {}), ...(stored ? { stored } : {}), ...(recorder ? { clips } : {}) };
  } finally {
    await analytics?.close();
    await ctx.models.close();
  }
}
