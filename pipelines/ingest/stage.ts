// Ingest source: one video source of one camera → Frame records. Decoding lives in video-source.ts; this shell
// numbers the sampled frames, gives them timestamps, holds still frames back from detection (motion.ts), says when
// the camera is idle (idle.ts) and counts skipped problems as metrics.
import type { Frame } from '../../schemas/records.ts';
import type { CameraSettings } from '../cameras/settings.ts';
import type { FrameStore } from '../../stores/frames/local-frame-store.ts';
import type { Source, StageContext } from '../runtime/stage.ts';
import { LiveIdleWatch, pauseBefore } from './idle.ts';
import { MotionGate } from './motion.ts';
import { releaseFrame } from '../runtime/inproc/frame-pool.ts';
import type { IngestConfig } from './config.ts';
import { parseSource } from './source-url.ts';
import { readVideo, type DecodeProblem, type ReadSummary, type ReadVideoOptions } from './video-source.ts';

export interface IngestSourceOptions {
  readonly camera: string;
  /** file path, file:// URL or live URL (rtsp://…) */
  readonly url: string;
  /** the camera's ingest config at start (CameraSettings.ingest when it has settings of its own): rate, timestamps */
  readonly config: IngestConfig;
  /**
   * The camera's settings now (pipelines/cameras/settings.ts; a worker's child gets them as JSON), read per frame:
   * a changed imotion_threshold or jpeg_quality applies from the next frame. Default: `config` and the store's quality.
   */
  readonly cameraSettings?: () => CameraSettings;
  /** epoch ms the job started; files with start_stream_timestamp 0 are dated from it (default: clock at run) */
  readonly jobStartMs?: number;
  readonly decodeThreads?: number;
  /** the detector's whole-frame input size (FaceModels.detectorInput): frames then carry that image too */
  readonly detectorInput?: { readonly width: number; readonly height: number };
  /** keeps every frame as evidence; frames then carry its reference (frameRef) */
  readonly frameStore?: FrameStore;
  readonly name?: string;
  /** handed every compressed video packet before decoding (clip recording, pipelines/clips) */
  readonly onPacket?: ReadVideoOptions['onPacket'];
}

export interface IngestSource extends Source<Frame> {
  /** What the last run read; null before a run has ended. */
  lastSummary(): ReadSummary | null;
}

/** Metric names, stable: dashboards and tests read them. */
export const INGEST_COUNTERS = {
  corruptFrames: 'corrupt_frames',
  truncatedSources: 'truncated_sources',
  readErrors: 'read_errors',
  /** frames held back from detection by the motion gate (the camera's frames_imotion_skipped) */
  imotionSkipped: 'imotion_skipped',
} as const;

const LEFT_EARLY: ReadSummary = { decoded: 0, emitted: 0, corrupt: 0, missing: 0, aborted: true };

export function createIngestSource(options: IngestSourceOptions): IngestSource {
  const { camera, url, config } = options;
  const live = parseSource(url).live;
  let summary: ReadSummary | null = null;

  function onProblem(ctx: StageContext<Frame>, p: DecodeProblem): void {
    if (p.kind === 'corrupt_packet' || p.kind === 'corrupt_frame') ctx.count(INGEST_COUNTERS.corruptFrames);
    else if (p.kind === 'truncated') ctx.count(INGEST_COUNTERS.truncatedSources);
    else ctx.count(INGEST_COUNTERS.readErrors);
    ctx.logger.warn({ camera, kind: p.kind }, p.message);
  }

  return {
    name: options.name ?? 'ingest',
    lastSummary: () => summary,
    async run(ctx, signal): Promise<void> {
      summary = null;
      // Live stream time is anchored when the stream is asked for (PLAY is sent while opening), not at the
      // first frame's arrival: FFmpeg holds ~analyzeduration of frames while probing, so they arrive in a late
      // burst, and anchoring there would date every frame up to a second in the future.
      const liveBaseMs = ctx.clock.now();
      const fileBaseMs = config.start_stream_timestamp > 0 ? config.start_stream_timestamp * 1000 : (options.jobStartMs ?? ctx.clock.now());
      const frames = readVideo(url, {
        fps: config.fps,
        max_width: config.max_width,
        rtsp_transport: config.rtsp_transport,
        timeout_s: config.timeout_s,
        decodeThreads: options.decodeThreads,
        ...(options.detectorInput ? { detectorSize: options.detectorInput } : {}),
        signal,
        ...(options.onPacket ? { onPacket: options.onPacket } : {}),
        onProblem: (p) => onProblem(ctx, p),
      });
      const idle = (ts: number) => ctx.idle({ camera, ts: Math.round(ts) }).then(() => ctx.logger.info({ camera, ts: Math.round(ts) }, 'camera idle'));
      const watch = live ? new LiveIdleWatch(config.camera_idle_timeout * 1000, ctx.clock, idle) : null;
      const next = async () => {
        try {
          return await (watch ? watch.waitOn(frames.next()) : frames.next());
        } catch (err) {
          await watch?.gone(); // the live source failed (stalled, hung up)
          throw err;
        }
      };
      let seq = 0;
      let firstPts: number | null = null;
      let previousT_s: number | null = null;
      const motion = new MotionGate();
      /** clock when a frame was last handed on: a live camera still for camera_idle_timeout is idle */
      let handedOnAt = liveBaseMs;
      // for-await would hide the generator's return value (the summary), hence next() by hand.
      try {
        for (let r = await next(); ; r = await next()) {
          if (r.done) {
            summary = r.value;
            break;
          }
          const f = r.value;
          const receivedMs = ctx.clock.now();
          firstPts ??= f.ptsSeconds;
          const t_s = f.ptsSeconds - firstPts;
          const settings = options.cameraSettings?.();
          if (!motion.accept(f.image, (settings?.ingest ?? config).imotion_threshold)) {
            // a still frame: not a frame of the stream downstream (no seq), and a still spell as long as the idle
            // timeout is a quiet camera, as if nothing had come (a file's pause is found at its next moving frame)
            ctx.count(INGEST_COUNTERS.imotionSkipped);
            releaseFrame(f.image);
            if (watch && receivedMs - handedOnAt >= config.camera_idle_timeout * 1000) await watch.gone();
            continue;
          }
          // Files are dated by stream time from their start; live frames by arrival, unless the operator trusts
          // the stream clock.
          const ts = !live ? fileBaseMs + t_s * 1000 : config.use_stream_timestamp ? liveBaseMs + t_s * 1000 : receivedMs;
          const pause = live ? null : pauseBefore(previousT_s, t_s, config.camera_idle_timeout);
          previousT_s = t_s;
          if (pause !== null) {
            if (config.realtime) await paced(liveBaseMs + pause * 1000 - ctx.clock.now(), signal);
            await idle(fileBaseMs + pause * 1000);
          }
          if (config.realtime && !live) await paced(liveBaseMs + t_s * 1000 - ctx.clock.now(), signal);
          const frameTs = Math.round(ts);
          const frameRef = options.frameStore ? await options.frameStore.put(camera, seq, frameTs, f.image, settings?.jpegQuality) : undefined;
          const frame: Frame = { camera, seq: seq++, ts: frameTs, t_s, width: f.image.width, height: f.image.height, image: f.image, ...(frameRef ? { frameRef } : {}) };
          await ctx.forward(f.detectorImage ? { ...frame, detectorImage: f.detectorImage } : frame);
          watch?.seen(frameTs, receivedMs);
          handedOnAt = receivedMs;
        }
        if (summary?.aborted) await watch?.gone(); // stopped
      } finally {
        // return()'s argument only becomes the result of that call; what matters is the cleanup it triggers.
        if (summary === null) await frames.return(LEFT_EARLY);
      }
      ctx.logger.info({ camera, ...summary }, 'ingest source finished');
    },
  };
}

/** Waits `ms` (nothing when ≤ 0), or less if `signal` aborts. */
function paced(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
