// Opens a file or live URL with FFmpeg and finds its video stream. Live options are set here because the
// blocking reads must be ended by FFmpeg's own timeouts: interrupting them from JS crashed node-av (FACTS.md).
import './promise-with-resolvers.ts';
import { Codec, Dictionary, FormatContext } from 'node-av/lib';
import type { Stream } from 'node-av/lib';
import { AVMEDIA_TYPE_VIDEO, AV_NOPTS_VALUE } from 'node-av/constants';
import { SourceError } from './errors.ts';
import { openFailure } from './ffmpeg-errors.ts';
import { isRtsp, parseSource, type ParsedSource } from './source-url.ts';

export interface OpenOptions {
  /** RTSP lower transport; TCP by default because UDP loses packets (and frames) on busy networks */
  readonly rtsp_transport?: 'tcp' | 'udp';
  /** seconds without data before a live read fails (stalled) or a connect gives up (unreachable) */
  readonly timeout_s?: number;
}

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** the stream's nominal frame rate; 0 when it does not say */
  readonly fps: number;
  /** null for live streams and files that do not say */
  readonly durationS: number | null;
  /** FFmpeg decoder name, e.g. "h264" */
  readonly codec: string;
  readonly live: boolean;
  /** frames the container's index lists (files); null when unknown */
  readonly frameCount: number | null;
}

export interface OpenedInput {
  readonly src: ParsedSource;
  readonly fmt: FormatContext;
  readonly stream: Stream;
  readonly codec: Codec;
  readonly info: VideoInfo;
}

export async function openInput(url: string, opts: OpenOptions = {}): Promise<OpenedInput> {
  const src = parseSource(url);
  const fmt = new FormatContext();
  const dict = Dictionary.fromObject(src.live ? liveOptions(src.input, opts) : {});
  let ok = false;
  try {
    const ret = await fmt.openInput(src.input, null, dict);
    if (ret < 0) throw await openFailure(src, ret);
    const found = await fmt.findStreamInfo(null);
    if (found < 0) throw await openFailure(src, found);
    const index = fmt.findBestStream(AVMEDIA_TYPE_VIDEO);
    const stream = index >= 0 ? fmt.streams[index] : undefined;
    if (stream === undefined) throw new SourceError('not_video', src.display, 'contains no video stream');
    const codec = Codec.findDecoder(stream.codecpar.codecId);
    if (codec === null) {
      throw new SourceError('not_video', src.display, `no decoder for its video codec (id ${stream.codecpar.codecId})`);
    }
    ok = true;
    return { src, fmt, stream, codec, info: describe(fmt, stream, codec, src.live) };
  } finally {
    dict.free();
    if (!ok) await fmt.closeInput();
  }
}

/** Opens the source, reads what it declares about its video, closes it. */
export async function probeVideo(url: string, opts: OpenOptions = {}): Promise<VideoInfo> {
  const opened = await openInput(url, opts);
  await opened.fmt.closeInput();
  return opened.info;
}

function liveOptions(url: string, opts: OpenOptions): Record<string, string> {
  const timeoutUs = String(Math.round((opts.timeout_s ?? 6) * 1e6));
  // ~1 s of probing is enough to see an H.264 keyframe's parameters and keeps camera start-up fast.
  const common = { analyzeduration: '1000000', probesize: '1000000' };
  if (isRtsp(url)) {
    // `timeout` is RTSP's socket I/O timeout in µs (FFmpeg ≥ 5 removed the old `stimeout` name); it also
    // bounds the TCP connect, so a dead host fails as fast as a stalled one.
    return { ...common, rtsp_transport: opts.rtsp_transport ?? 'tcp', timeout: timeoutUs };
  }
  // Other protocols (http, tcp, …) use the generic read/write timeout.
  return { ...common, rw_timeout: timeoutUs };
}

function describe(fmt: FormatContext, stream: Stream, codec: Codec, live: boolean): VideoInfo {
  const rate = stream.avgFrameRate.den > 0 && stream.avgFrameRate.num > 0 ? stream.avgFrameRate : stream.rFrameRate;
  const fps = rate.den > 0 ? rate.num / rate.den : 0;
  const tb = stream.timeBase;
  let durationS: number | null = null;
  if (!live && fmt.duration > 0n && fmt.duration !== AV_NOPTS_VALUE) durationS = Number(fmt.duration) / 1e6;
  else if (!live && stream.duration > 0n && stream.duration !== AV_NOPTS_VALUE) durationS = (Number(stream.duration) * tb.num) / tb.den;
  return {
    width: stream.codecpar.width,
    height: stream.codecpar.height,
    fps,
    durationS,
    codec: codec.name ?? 'unknown',
    live,
    frameCount: !live && stream.nbFrames > 0n ? Number(stream.nbFrames) : null,
  };
}
