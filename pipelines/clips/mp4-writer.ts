// Writes compressed video packets into an MP4 as they are (remuxed, not re-encoded): the stream's codec parameters
// are copied, timestamps are moved so that the first packet is at 0. The file is written under a temporary name
// and renamed when complete, so a reader (the API, the sweeper) never sees half a clip. FFmpeg calls are queued one
// after the other: packets arrive from a synchronous decode loop, the writes run on libuv's threads.
import '../ingest/promise-with-resolvers.ts';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Dictionary, FormatContext, Packet, Rational } from 'node-av/lib';
import type { Stream } from 'node-av/lib';
import { AV_NOPTS_VALUE } from 'node-av/constants';
import { ffmpegText } from '../ingest/ffmpeg-errors.ts';
import type { PacketStream, VideoPacket } from '../ingest/video-source.ts';

/** The suffix of a clip being written (the sweeper leaves it alone while it grows: its time is recent). */
const PARTIAL_SUFFIX = '.part';

export interface WrittenClip {
  readonly path: string;
  readonly packets: number;
  readonly bytes: number;
}

export class Mp4Writer {
  private chain: Promise<void>;
  private ctx: FormatContext | null = null;
  private out: Stream | null = null;
  private base: bigint | null = null;
  private packets = 0;
  private bytes = 0;
  private failed: Error | null = null;
  private outputOpen = false;
  private readonly partial: string;

  constructor(
    readonly path: string,
    private readonly stream: PacketStream,
  ) {
    this.partial = `${path}${PARTIAL_SUFFIX}`;
    this.chain = this.open();
  }

  /** Queues `p`; the data is copied into FFmpeg's packet before this returns. */
  write(p: VideoPacket): void {
    const pkt = new Packet();
    pkt.alloc();
    pkt.data = p.data;
    this.base ??= p.pts !== AV_NOPTS_VALUE ? p.pts : p.dts;
    pkt.pts = p.pts !== AV_NOPTS_VALUE ? p.pts - this.base : AV_NOPTS_VALUE;
    pkt.dts = p.dts !== AV_NOPTS_VALUE ? p.dts - this.base : AV_NOPTS_VALUE;
    pkt.duration = p.duration;
    pkt.isKeyframe = p.keyframe;
    pkt.streamIndex = 0;
    this.packets++;
    this.bytes += p.data.length;
    this.then(async (ctx, out) => {
      pkt.rescaleTs(this.stream.timeBase, out.timeBase);
      check(await ctx.interleavedWriteFrame(pkt), 'writing a packet');
    }, () => pkt.free());
  }

  /** Writes the MP4 index and renames the file into place; rejects (and removes the file) if any step failed. */
  async finish(): Promise<WrittenClip> {
    this.then(async (ctx) => {
      check(await ctx.writeTrailer(), 'writing the MP4 index');
    });
    await this.chain;
    await this.release();
    if (this.failed || this.packets === 0) {
      await rm(this.partial, { force: true });
      throw this.failed ?? new Error('no packets to write');
    }
    await rename(this.partial, this.path);
    return { path: this.path, packets: this.packets, bytes: this.bytes };
  }

  /** Drops what was written. */
  async abandon(): Promise<void> {
    await this.chain;
    await this.release();
    await rm(this.partial, { force: true });
  }

  private async open(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const ctx = new FormatContext();
      this.ctx = ctx;
      check(ctx.allocOutputContext2(null, 'mp4', this.partial), 'creating the MP4 muxer');
      const out = ctx.newStream(null);
      check(this.stream.codecpar.copy(out.codecpar), 'copying the codec parameters');
      // the source container's tag (e.g. from RTSP) may not be valid in MP4: the muxer picks its own
      out.codecpar.codecTag = 0;
      out.timeBase = new Rational(this.stream.timeBase.num, this.stream.timeBase.den);
      check(await ctx.openOutput(), `opening ${this.partial}`);
      this.outputOpen = true;
      // the index first, so that a browser can play the clip while it downloads
      const options = Dictionary.fromObject({ movflags: '+faststart' });
      try {
        check(await ctx.writeHeader(options), 'writing the MP4 header');
      } finally {
        options.free();
      }
      this.out = out;
    } catch (err) {
      this.failed = err as Error;
    }
  }

  /** Runs `op` after what is queued, unless something failed; `always` runs either way. */
  private then(op: (ctx: FormatContext, out: Stream) => Promise<void>, always?: () => void): void {
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failed && this.ctx && this.out) await op(this.ctx, this.out);
      } catch (err) {
        this.failed = err as Error;
      } finally {
        always?.();
      }
    });
  }

  private async release(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = null;
    if (!ctx) return;
    if (this.outputOpen) await ctx.closeOutput();
    ctx.freeContext();
  }
}

function check(code: number, what: string): void {
  if (code < 0) throw new Error(`${what} failed (${ffmpegText(code)})`);
}
