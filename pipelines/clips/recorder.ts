// Clip recording: an MP4 per camera of an episode, from `pre_roll` before it opened to `post_roll` after its last
// event, made of the camera's compressed packets (no re-encode). It is fed three things in one process: the
// ingest's packets (packetTap, before decoding), the frames (onFrame: how the camera's frame times map to its
// stream time) and the episode changes (onEpisode). Packets wait in a per-camera ring (ring-buffer.ts) until an
// episode asks for them; a clip then takes the ring from the keyframe at or before its start and every packet after,
// holding back those past the episode's current end + post_roll until the episode goes on (they are written) or
// closes (they are dropped). So the clip's span follows the episode's times, not when the pipeline got to them.
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { AV_NOPTS_VALUE } from 'node-av/constants';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { EpisodeChange } from '../../schemas/records.ts';
import { clipPath, clipsRoot } from '../../stores/frames/layout.ts';
import type { StageDeps } from '../registry.ts';
import type { PacketStream, VideoPacket } from '../ingest/video-source.ts';
import type { ClipsConfig } from './config.ts';
import { Mp4Writer, type WrittenClip } from './mp4-writer.ts';
import { PacketRing, type RingPacket } from './ring-buffer.ts';

export interface RecordedClip extends WrittenClip {
  readonly camera: string;
  readonly episodeId: string;
  /** first and last packet's times, s since the camera's stream started (as frames' t_s) */
  readonly startT: number;
  readonly endT: number;
}

export interface ClipRecorderOptions {
  /** the clips root: a clip is <dir>/<camera>/<episode id>.mp4 (clipPath) */
  readonly dir: string;
  readonly config: ClipsConfig;
  readonly logger: Logger;
  readonly registry?: Registry;
  readonly onClip?: (clip: RecordedClip) => void;
}

interface Timed extends RingPacket {
  readonly packet: VideoPacket;
}

interface CameraState {
  readonly ring: PacketRing<Timed>;
  stream: PacketStream | null;
  /** the stream time of the opening's first keyframe, which the ingest's t_s counts from (its first frame) */
  origin: number;
  /** frame ts (epoch ms) − t_s × 1000, from the latest frame; null before the first frame */
  offsetMs: number | null;
  newestT: number;
  readonly recordings: Set<Recording>;
}

/** The recorder of a process that runs cameras: null unless clips.enabled and frame_store.dir (which it warns of). */
export function clipRecorderFor(o: { readonly config: Readonly<FacestreamConfig>; readonly logger: Logger; readonly registry?: Registry }): ClipRecorder | null {
  const { frame_store: store, clips } = o.config;
  if (!clips.enabled) return null;
  if (!store.dir) {
    o.logger.warn('clips.enabled without frame_store.dir: no clips are recorded');
    return null;
  }
  return new ClipRecorder({ dir: clipsRoot(store.dir), config: clips, logger: o.logger, ...(o.registry ? { registry: o.registry } : {}) });
}

export class ClipRecorder {
  private readonly cameras = new Map<string, CameraState>();
  private readonly episodes = new Map<string, Map<string, Recording>>();
  private readonly finishing = new Set<Promise<void>>();
  private readonly metrics;

  constructor(private readonly opts: ClipRecorderOptions) {
    const registers = opts.registry ? [opts.registry] : [];
    this.metrics = {
      written: new Counter({ name: 'facestream_clips_written_total', help: 'episode clips written', labelNames: ['camera'], registers }),
      failed: new Counter({ name: 'facestream_clips_failed_total', help: 'episode clips that could not be written', labelNames: ['camera'], registers }),
      bytes: new Counter({ name: 'facestream_clip_bytes_total', help: 'bytes of video written into clips', labelNames: ['camera'], registers }),
    };
  }

  /** The ingest packet callback of `camera` (ReadVideoOptions.onPacket). */
  packetTap(camera: string): (packet: VideoPacket) => void {
    return (packet) => this.onPacket(camera, packet);
  }

  /** `deps` with this recorder's packet tap on its camera's ingest source (none: as given) */
  withPacketTap<D extends Pick<StageDeps, 'source'>>(deps: D): D {
    return deps.source ? { ...deps, source: { ...deps.source, onPacket: this.packetTap(deps.source.camera) } } : deps;
  }

  /** Every frame of the camera's ingest (topic `frames`), for its times. */
  onFrame(frame: { readonly camera: string; readonly ts: number; readonly t_s: number }): void {
    const state = this.cameras.get(frame.camera);
    if (state) state.offsetMs = frame.ts - frame.t_s * 1000;
  }

  onEpisode(change: EpisodeChange): void {
    let recordings = this.episodes.get(change.episodeId);
    if (change.kind !== 'close') {
      for (const camera of change.cameras) {
        if (recordings?.has(camera)) continue;
        const started = this.start(camera, change);
        if (!started) continue;
        recordings ??= new Map();
        this.episodes.set(change.episodeId, recordings);
        recordings.set(camera, started);
      }
    }
    if (!recordings) return;
    for (const [camera, recording] of recordings) {
      const limit = this.streamTime(camera, change.endTs);
      if (limit === null) continue;
      const end = limit + this.opts.config.post_roll;
      if (change.kind === 'close') recording.close(end, this.cameras.get(camera)?.newestT ?? Number.NEGATIVE_INFINITY);
      else recording.extend(end);
    }
    if (change.kind === 'close') this.episodes.delete(change.episodeId);
  }

  /** Finishes every clip still open with what it has (the sources ended); resolves when all are written. */
  async close(): Promise<void> {
    for (const state of this.cameras.values()) for (const recording of [...state.recordings]) recording.finish();
    this.episodes.clear();
    while (this.finishing.size > 0) await Promise.all([...this.finishing]);
  }

  private onPacket(camera: string, packet: VideoPacket): void {
    let state = this.cameras.get(camera);
    if (!state) {
      const { config } = this.opts;
      state = {
        ring: new PacketRing<Timed>(config.pre_roll + config.pipeline_lag, config.buffer_max_bytes),
        stream: null,
        origin: 0,
        offsetMs: null,
        newestT: Number.NEGATIVE_INFINITY,
        recordings: new Set(),
      };
      this.cameras.set(camera, state);
    }
    const ts = packet.pts !== AV_NOPTS_VALUE ? packet.pts : packet.dts;
    if (ts === AV_NOPTS_VALUE) return; // cannot be placed in time
    const seconds = (Number(ts) * packet.stream.timeBase.num) / packet.stream.timeBase.den;
    if (packet.stream !== state.stream) {
      // the source was (re)opened: a new stream time, new codec parameters; what came before cannot continue
      if (!packet.keyframe) return;
      state.stream = packet.stream;
      state.origin = seconds;
      state.offsetMs = null;
      state.newestT = Number.NEGATIVE_INFINITY;
      state.ring.clear();
      for (const recording of [...state.recordings]) recording.finish();
    }
    const timed: Timed = { packet, t: seconds - state.origin, keyframe: packet.keyframe, bytes: packet.data.length };
    state.newestT = Math.max(state.newestT, timed.t);
    state.ring.push(timed);
    for (const recording of [...state.recordings]) recording.offer(timed);
  }

  /** `ts` (epoch ms) in `camera`'s stream time; null before the camera's first frame. */
  private streamTime(camera: string, ts: number): number | null {
    const offset = this.cameras.get(camera)?.offsetMs;
    return offset === null || offset === undefined ? null : (ts - offset) / 1000;
  }

  private start(camera: string, change: EpisodeChange): Recording | null {
    const state = this.cameras.get(camera);
    const from = this.streamTime(camera, change.startTs);
    const to = this.streamTime(camera, change.endTs);
    if (!state?.stream || from === null || to === null) return null; // not a camera of this process, or not started
    const packets = state.ring.from(from - this.opts.config.pre_roll);
    if (packets.length === 0) return null;
    const { config, logger } = this.opts;
    const path = clipPath(this.opts.dir, camera, change.episodeId);
    const recording = new Recording(new Mp4Writer(path, state.stream), state.stream, config.max_duration, config.buffer_max_bytes, to + config.post_roll, (result) => {
      state.recordings.delete(recording);
      const done = result.then(
        (clip) => {
          this.metrics.written.inc({ camera });
          this.metrics.bytes.inc({ camera }, clip.bytes);
          const recorded: RecordedClip = { ...clip, camera, episodeId: change.episodeId };
          logger.info({ camera, episode: change.episodeId, path: clip.path, seconds: +(clip.endT - clip.startT).toFixed(2), bytes: clip.bytes }, 'clip written');
          this.opts.onClip?.(recorded);
        },
        (err: unknown) => {
          this.metrics.failed.inc({ camera });
          logger.warn({ camera, episode: change.episodeId, err: (err as Error).message }, 'clip could not be written');
        },
      );
      this.finishing.add(done);
      void done.finally(() => this.finishing.delete(done));
    });
    state.recordings.add(recording);
    for (const p of packets) recording.offer(p);
    return recording;
  }
}

type Finished = (result: Promise<WrittenClip & { startT: number; endT: number }>) => void;

/** One clip being written: packets up to `limit` go to the file, later ones wait for the episode to go on or close. */
class Recording {
  private readonly pending: Timed[] = [];
  private pendingBytes = 0;
  private closed = false;
  private done = false;
  private startT: number | null = null;
  private endT = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly writer: Mp4Writer,
    private readonly stream: PacketStream,
    private readonly maxDuration: number,
    private readonly maxPendingBytes: number,
    private limit: number,
    private readonly onFinished: Finished,
  ) {}

  offer(p: Timed): void {
    if (this.done) return;
    if (p.packet.stream !== this.stream || (this.startT !== null && p.t - this.startT > this.maxDuration)) {
      this.finish();
      return;
    }
    this.pending.push(p);
    this.pendingBytes += p.bytes;
    this.flush();
    if (this.closed && this.pending.length > 0) this.finish(); // the first packet past the end has come
  }

  /** The episode goes on to `limit` (its last event + post-roll). */
  extend(limit: number): void {
    this.limit = Math.max(this.limit, limit);
    this.flush();
  }

  /** The episode closed: packets up to `limit` are written, the clip ends there. */
  close(limit: number, newestT: number): void {
    this.closed = true;
    this.extend(limit);
    if (this.pending.length > 0 || newestT >= this.limit) this.finish();
  }

  /** Ends the clip with what was written; what still waits is dropped. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.pending.length = 0;
    const startT = this.startT ?? 0;
    const endT = this.endT;
    this.onFinished(this.writer.finish().then((clip) => ({ ...clip, startT, endT })));
  }

  private flush(): void {
    // past the limit a packet waits, unless the wait outgrows the buffer: then the clip runs longer instead
    while (this.pending.length > 0 && (this.pending[0]!.t <= this.limit || this.pendingBytes > this.maxPendingBytes)) {
      const p = this.pending.shift()!;
      this.pendingBytes -= p.bytes;
      this.startT ??= p.t;
      this.endT = Math.max(this.endT, p.t);
      this.writer.write(p.packet);
    }
  }
}
