// Decodes a file or live stream into RGB frames, sampled to a target rate. Scaling and the YUV→RGB conversion
// run in FFmpeg's scale filter (it honours the stream's colour range/matrix, unlike toJpeg — FACTS.md), and
// only sampled frames are converted. Decoding and filtering call FFmpeg synchronously on this thread: node-av's
// async calls ran each step on another libuv thread, and the hand-offs (and the frame moving between cores' caches)
// cost ~1.5 ms of CPU per 720p frame on top of ~3 ms of work. Only the packet read stays async: on a live source it
// waits on the network. Bad packets/frames are counted and skipped; only a source that cannot be
// opened, or a live source that stalls or ends, is an error.
import './promise-with-resolvers.ts';
import { CodecContext, CodecParameters, Frame, Packet, SoftwareScaleContext } from 'node-av/lib';
import type { IRational } from 'node-av/lib';
import { FilterAPI } from 'node-av/api';
import {
  AVCOL_RANGE_JPEG,
  AVCOL_SPC_BT470BG,
  AVCOL_SPC_SMPTE170M,
  AVCOL_SPC_UNSPECIFIED,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AV_FRAME_FLAG_CORRUPT,
  AV_NOPTS_VALUE,
  AV_PIX_FMT_RGB24,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUV444P,
  EOF,
  SWS_BILINEAR,
} from 'node-av/constants';
import type { RgbImage } from '../../schemas/records.ts';
import { leaseFrame, PixelPool } from '../runtime/inproc/frame-pool.ts';
import { SourceError } from './errors.ts';
import { liveReadFailure, ffmpegText } from './ffmpeg-errors.ts';
import { openInput, type OpenOptions, type VideoInfo } from './open-input.ts';
import { FpsSampler } from './sampler.ts';

export { probeVideo, type VideoInfo } from './open-input.ts';

export type ProblemKind = 'corrupt_packet' | 'corrupt_frame' | 'truncated' | 'read_error';

export interface DecodeProblem {
  readonly kind: ProblemKind;
  readonly message: string;
}

export interface ReadVideoOptions extends OpenOptions {
  /** output rate; 0 (default) = every decoded frame */
  readonly fps?: number;
  /** frames wider than this are scaled down, aspect kept; default 1280 */
  readonly max_width?: number;
  /**
   * Also give each frame squeezed to this size (aspect not kept), the input of a detector that takes the whole
   * frame so (Ultra-Light: 320×240). FFmpeg scales the decoded YUV picture in ~0.7 ms at 720p, where the model
   * worker resizing the RGB frame took ~3 ms. Detections match the libvips resize (shared clips and the 720p
   * bench loop: same faces but for a few at the score threshold; box IoU 0.99, scores within 0.01 on average).
   */
  readonly detectorSize?: { readonly width: number; readonly height: number };
  /** decoder threads; 1 by default because cameras run side by side on few cores */
  readonly decodeThreads?: number;
  /** called once the source is open, before the first frame */
  readonly onOpen?: (info: VideoInfo) => void;
  /** called for each skipped packet/frame and for a truncated file */
  readonly onProblem?: (problem: DecodeProblem) => void;
  /** checked between frames only: a blocked native read is left to FFmpeg's timeout (FACTS.md) */
  readonly signal?: AbortSignal;
  /**
   * Handed every compressed packet of the video stream before it is decoded (clip recording remuxes them). Nothing
   * is copied when absent; when set, each packet's bytes are copied once and must not be kept past their use.
   */
  readonly onPacket?: (packet: VideoPacket) => void;
}

/** The video stream packets come from: one object per opening of the source, so a reconnect shows as a new one. */
export interface PacketStream {
  readonly timeBase: IRational;
  /** a copy of the stream's codec parameters (they outlive the input, which closes when the read ends) */
  readonly codecpar: CodecParameters;
}

/** A compressed video packet, as the demuxer read it. */
export interface VideoPacket {
  readonly stream: PacketStream;
  readonly data: Buffer;
  /** in `stream.timeBase`; AV_NOPTS_VALUE when the container does not say */
  readonly pts: bigint;
  readonly dts: bigint;
  readonly duration: bigint;
  readonly keyframe: boolean;
}

export interface DecodedFrame {
  /** 0-based index among all frames the decoder produced, sampled or not */
  readonly index: number;
  /** the stream's own presentation time of the frame */
  readonly ptsSeconds: number;
  readonly image: RgbImage;
  /** the frame at `detectorSize`, when asked for */
  readonly detectorImage?: RgbImage;
}

export interface ReadSummary {
  readonly decoded: number;
  readonly emitted: number;
  /** corrupt packets + corrupt frames skipped */
  readonly corrupt: number;
  /** frames the file's index lists that were never read (truncated file); 0 when unknown */
  readonly missing: number;
  readonly aborted: boolean;
}

export async function* readVideo(url: string, opts: ReadVideoOptions = {}): AsyncGenerator<DecodedFrame, ReadSummary, undefined> {
  const { src, fmt, stream, codec, info } = await openInput(url, opts);
  const problem = (kind: ProblemKind, message: string): void => opts.onProblem?.({ kind, message: `${src.display}: ${message}` });
  const cc = new CodecContext();
  const pkt = new Packet();
  const frame = new Frame();
  const convert = new FrameConverter(opts.max_width ?? 1280, opts.detectorSize);
  const sampler = new FpsSampler(opts.fps ?? 0);
  const tb = stream.timeBase;
  const frameStep = info.fps > 0 ? 1 / info.fps : 0;
  let decoded = 0;
  let emitted = 0;
  let corrupt = 0;
  let packets = 0;
  let lastPts = Number.NaN;
  /** why a live read ended; live streams never end normally */
  let endCode: number | null = null;
  try {
    cc.allocContext3(codec);
    cc.parametersToContext(stream.codecpar);
    cc.pktTimebase = tb;
    cc.threadCount = opts.decodeThreads ?? 1;
    const opened = await cc.open2(codec, null);
    if (opened < 0) throw new SourceError('not_video', src.display, `its ${info.codec} video cannot be decoded (${ffmpegText(opened)})`);
    pkt.alloc();
    frame.alloc();
    opts.onOpen?.(info);
    const packetStream = opts.onPacket ? tappedStream(stream.codecpar, tb) : null;

    // Drains every frame the decoder has ready; yields the sampled ones.
    const drain = async function* (): AsyncGenerator<DecodedFrame, void, undefined> {
      for (;;) {
        const r = cc.receiveFrameSync(frame);
        if (r === AVERROR_EAGAIN || r === AVERROR_EOF) return;
        if (r < 0) {
          corrupt++;
          problem('corrupt_frame', `frame could not be decoded (${ffmpegText(r)})`);
          return;
        }
        try {
          const index = decoded++;
          const ts = frame.bestEffortTimestamp;
          // A frame without a timestamp is placed one nominal frame after the previous one.
          const pts = ts !== AV_NOPTS_VALUE ? (Number(ts) * tb.num) / tb.den : Number.isNaN(lastPts) ? 0 : lastPts + frameStep;
          lastPts = pts;
          if ((frame.flags & AV_FRAME_FLAG_CORRUPT) !== 0 || frame.decodeErrorFlags !== 0) {
            corrupt++;
            problem('corrupt_frame', `frame ${index} at ${pts.toFixed(3)} s decoded with errors, skipped`);
            continue;
          }
          if (!sampler.accept(pts)) continue;
          const { image, detectorImage } = convert.frame(frame, tb);
          emitted++;
          yield detectorImage ? { index, ptsSeconds: pts, image, detectorImage } : { index, ptsSeconds: pts, image };
        } finally {
          frame.unref();
        }
      }
    };

    for (;;) {
      if (opts.signal?.aborted) return summary(true);
      // A live source's packets wait on the network; a file's are in the page cache or one disk read away, but
      // other work (model workers' replies) gets the event loop between them.
      const r = src.live ? await fmt.readFrame(pkt) : (await nextTurn(), fmt.readFrameSync(pkt));
      if (r === AVERROR_EAGAIN) continue;
      if (r < 0) {
        if (src.live) {
          endCode = r;
          break;
        }
        if (r !== AVERROR_EOF) problem('read_error', `read failed after ${packets} packets, ending (${ffmpegText(r)})`);
        break;
      }
      try {
        if (pkt.streamIndex !== stream.index) continue;
        packets++;
        if (packetStream && opts.onPacket) {
          const data = pkt.data;
          if (data) opts.onPacket({ stream: packetStream, data, pts: pkt.pts, dts: pkt.dts, duration: pkt.duration, keyframe: pkt.isKeyframe });
        }
        // A live camera's packet is decoded on libuv's thread pool (node-av's async call): many cameras decode side by
        // side on every core, not one after another on the main thread, which the pipeline needs for everything else.
        const sent = src.live ? await cc.sendPacket(pkt) : cc.sendPacketSync(pkt);
        if (sent < 0 && sent !== AVERROR_EAGAIN) {
          corrupt++;
          problem('corrupt_packet', `packet ${packets - 1} could not be decoded, skipped (${ffmpegText(sent)})`);
        }
      } finally {
        pkt.unref();
      }
      yield* drain();
    }
    // Frames still inside the decoder (reordering delay) come out before any error is raised.
    cc.sendPacketSync(null);
    yield* drain();
    if (endCode !== null) throw liveReadFailure(src, endCode, decoded);
    if (info.frameCount !== null && packets < info.frameCount) {
      problem('truncated', `file ends early: ${packets} of ${info.frameCount} frames present`);
    }
    return summary(false);
  } finally {
    convert.close();
    frame.free();
    pkt.free();
    cc.freeContext();
    await fmt.closeInput();
  }

  function summary(aborted: boolean): ReadSummary {
    const missing = info.frameCount !== null ? Math.max(0, info.frameCount - packets) : 0;
    return { decoded, emitted, corrupt, missing, aborted };
  }
}

function tappedStream(source: CodecParameters, timeBase: IRational): PacketStream {
  const codecpar = new CodecParameters();
  codecpar.alloc();
  const r = source.copy(codecpar);
  if (r < 0) throw new Error(`codec parameters could not be copied (${ffmpegText(r)})`);
  return { timeBase: { num: timeBase.num, den: timeBase.den }, codecpar };
}

/** Resolves after the event loop has run what was waiting (I/O, messages), not just microtasks. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// The stream's colours as FFmpeg's scale filter would read them by default: BT.601 matrix, limited range. For these,
// swscale called directly gives the filter's very bytes (checked frame by frame on the shared clips and the 720p
// bench loop); other colour spaces and pixel formats go through the filter, which reads the frame's colour tags.
const DEFAULT_MATRICES: readonly number[] = [AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_BT470BG, AVCOL_SPC_SMPTE170M];

/** What a frame of a given size and pixel format is converted with. */
interface Plan {
  readonly key: string;
  readonly width: number;
  readonly height: number;
  /** frame → RGB at (width, height); null when the filter graph does it */
  readonly full: SoftwareScaleContext | null;
  /** where a decoded frame is copied for the swscale passes to read (with `full`); see FrameConverter */
  readonly staging: Staging | null;
  /** frame → YUV 4:4:4 at the detector size, then → RGB (two passes, see below); null when the filter does it */
  readonly small: { readonly toYuv: SoftwareScaleContext; readonly toRgb: SoftwareScaleContext; readonly planes: Buffer[] } | null;
}

/** A frame FFmpeg allocated once, and views of its planes made once. */
interface Staging {
  readonly frame: Frame;
  readonly planes: Buffer[];
  readonly strides: number[];
}

/**
 * Decoded frames → packed RGB24 at the output size (and at the detector size), written straight into shared
 * memory recycled through a PixelPool: the model workers read it without copies, and the track stage hands each
 * frame back (releaseFrame) once it has cut what it keeps.
 *
 * The detector's image is made in two swscale passes, YUV 4:2:0 → YUV 4:4:4 at 320×240, then → RGB: it differs from
 * the single full-chroma pass it replaces by 0.3 of 255 on average per channel, at half its cost (0.7 against
 * 1.3 ms at 720p); without full chroma interpolation the single pass strays 1.6 on average (which moved detection
 * scores ~1.4× as far from those on the full frame).
 *
 * swscale reads the decoded picture from a staging frame it is copied into (av_frame_copy, ~0.1 ms at 720p), not from
 * the decoder's frame: node-av makes new Buffer views of a frame's planes on every read of `data`, and V8 counts each
 * view's 1.4 MB as external memory until it is collected, so reading the decoder's planes ran a full garbage collection
 * every ~45 sampled frames (one a second at 2 cameras, 12 % of the process's CPU in V8's marking threads). The staging
 * frame's views are made once. The scale filter's output (BT.709 and full-range streams) is likewise copied into an
 * RGB staging frame before its rows are read. The bytes out are the same.
 */
class FrameConverter {
  private readonly pool = new PixelPool();
  private plan: Plan | null = null;
  private filter: FilterAPI | null = null;
  private smallFilter: FilterAPI | null = null;
  /** the filters' RGB output is copied here before it is read, by size (see the class comment) */
  private readonly rgbStaging = new Map<string, Staging>();

  constructor(
    private readonly maxWidth: number,
    private readonly ds: { readonly width: number; readonly height: number } | undefined,
  ) {}

  /** `timeBase`: the stream's, which the decoder leaves unset and the filter graph (the fallback) is configured with */
  frame(frame: Frame, timeBase: Frame['timeBase']): { image: RgbImage; detectorImage?: RgbImage } {
    const plan = this.planFor(frame);
    if (!plan.full || (this.ds && !plan.small)) frame.timeBase = timeBase;
    const src = plan.staging ? this.staged(plan.staging, frame) : null;
    const image = plan.full && src ? this.scaled(plan.full, src, frame.height, plan.width, plan.height) : this.filtered(this.fullFilter(), frame);
    let detectorImage: RgbImage | undefined;
    if (this.ds) {
      if (plan.small && src) {
        const { toYuv, toRgb, planes } = plan.small;
        const { width, height } = this.ds;
        toYuv.scaleSync(src.planes, src.strides, 0, frame.height, planes, [width, width, width]);
        const data = this.pool.take(width * height * 3);
        toRgb.scaleSync(planes, [width, width, width], 0, height, [bufferOf(data)], [width * 3]);
        detectorImage = { width, height, data };
      } else {
        detectorImage = this.filtered(this.detectorFilter(this.ds), frame);
      }
    }
    if (detectorImage) leaseFrame(this.pool, image, detectorImage);
    else leaseFrame(this.pool, image);
    return detectorImage ? { image, detectorImage } : { image };
  }

  close(): void {
    this.dropPlan();
    this.filter?.close();
    this.smallFilter?.close();
    this.filter = null;
    this.smallFilter = null;
    for (const s of this.rgbStaging.values()) s.frame.free();
    this.rgbStaging.clear();
  }

  private dropPlan(): void {
    this.plan?.full?.freeContext();
    this.plan?.staging?.frame.free();
    this.plan?.small?.toYuv.freeContext();
    this.plan?.small?.toRgb.freeContext();
    this.plan = null;
  }

  private planFor(frame: Frame): Plan {
    const key = `${frame.width}x${frame.height}/${frame.format}/${frame.colorSpace}/${frame.colorRange}`;
    if (this.plan?.key === key) return this.plan;
    this.dropPlan();
    const iw = frame.width;
    const ih = frame.height;
    // as the scale filter's w='min(iw,max)':h=-1 (av_rescale rounds half up)
    const width = Math.min(iw, this.maxWidth);
    const height = width === iw ? ih : Math.floor((width * ih + Math.floor(iw / 2)) / iw);
    const direct = frame.format === AV_PIX_FMT_YUV420P && frame.colorRange !== AVCOL_RANGE_JPEG && DEFAULT_MATRICES.includes(frame.colorSpace);
    let full: SoftwareScaleContext | null = null;
    let staging: Staging | null = null;
    let small: Plan['small'] = null;
    if (direct) {
      staging = stagingFrame(iw, ih, AV_PIX_FMT_YUV420P);
      full = new SoftwareScaleContext();
      full.getContext(iw, ih, AV_PIX_FMT_YUV420P, width, height, AV_PIX_FMT_RGB24, SWS_BILINEAR);
      if (this.ds) {
        const { width: dw, height: dh } = this.ds;
        const toYuv = new SoftwareScaleContext();
        toYuv.getContext(iw, ih, AV_PIX_FMT_YUV420P, dw, dh, AV_PIX_FMT_YUV444P, SWS_BILINEAR);
        const toRgb = new SoftwareScaleContext();
        toRgb.getContext(dw, dh, AV_PIX_FMT_YUV444P, dw, dh, AV_PIX_FMT_RGB24, SWS_BILINEAR);
        small = { toYuv, toRgb, planes: [Buffer.alloc(dw * dh), Buffer.alloc(dw * dh), Buffer.alloc(dw * dh)] };
      }
    }
    this.plan = { key, width, height, full, staging, small };
    return this.plan;
  }

  private staged(staging: Staging, frame: Frame): Staging {
    const r = staging.frame.copy(frame);
    if (r < 0) throw new Error(`decoded frame could not be copied for conversion (${ffmpegText(r)})`);
    return staging;
  }

  private scaled(sws: SoftwareScaleContext, src: { planes: Buffer[]; strides: number[] }, srcHeight: number, width: number, height: number): RgbImage {
    const data = this.pool.take(width * height * 3);
    sws.scaleSync(src.planes, src.strides, 0, srcHeight, [bufferOf(data)], [width * 3]);
    return { width, height, data };
  }

  private fullFilter(): FilterAPI {
    this.filter ??= FilterAPI.create(`scale=w='min(iw,${this.maxWidth})':h=-1:flags=bilinear,format=rgb24`, { threads: 1 });
    return this.filter;
  }

  private detectorFilter(ds: { readonly width: number; readonly height: number }): FilterAPI {
    // full_chroma_int: chroma interpolated at every output pixel, as in the full-size frame the detector used to be fed from
    this.smallFilter ??= FilterAPI.create(`scale=w=${ds.width}:h=${ds.height}:flags=bilinear+full_chroma_int,format=rgb24`, { threads: 1 });
    return this.smallFilter;
  }

  /** One frame through a scale filter (it emits exactly one frame per input), copied out of FFmpeg's frame. */
  private filtered(filter: FilterAPI, frame: Frame): RgbImage {
    filter.processSync(frame);
    const out = filter.receiveSync();
    if (out === null || out === EOF) throw new Error('scale filter produced no frame');
    try {
      return { width: out.width, height: out.height, data: this.packed(out) };
    } finally {
      out.free();
    }
  }

  /** Plane 0 of a packed-pixel frame (rgb24) without FFmpeg's row padding, in pooled shared memory. */
  private packed(frame: Frame): Uint8Array {
    const key = `${frame.width}x${frame.height}`;
    let staging = this.rgbStaging.get(key);
    if (!staging) {
      staging = stagingFrame(frame.width, frame.height, AV_PIX_FMT_RGB24);
      this.rgbStaging.set(key, staging);
    }
    const plane = this.staged(staging, frame).planes[0];
    const stride = staging.strides[0];
    const row = frame.width * 3;
    if (!plane || stride === undefined || stride < row) throw new Error(`scale filter produced a frame without packed RGB (linesize ${String(stride)})`);
    const data = this.pool.take(row * frame.height);
    if (stride === row) data.set(plane.subarray(0, row * frame.height));
    else for (let y = 0; y < frame.height; y++) data.set(plane.subarray(y * stride, y * stride + row), y * row);
    return data;
  }
}

function stagingFrame(width: number, height: number, format: typeof AV_PIX_FMT_YUV420P | typeof AV_PIX_FMT_RGB24): Staging {
  const frame = new Frame();
  frame.alloc();
  frame.format = format;
  frame.width = width;
  frame.height = height;
  const r = frame.allocBuffer();
  if (r < 0) {
    frame.free();
    throw new Error(`no memory for a ${width}×${height} frame (${ffmpegText(r)})`);
  }
  return { frame, planes: frame.data as Buffer[], strides: frame.linesize };
}

// A Buffer over the same (shared) memory, which is what node-av's swscale binding writes into; cached per array.
const buffers = new WeakMap<Uint8Array, Buffer>();
function bufferOf(data: Uint8Array): Buffer {
  let b = buffers.get(data);
  if (!b) {
    b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    buffers.set(data, b);
  }
  return b;
}
