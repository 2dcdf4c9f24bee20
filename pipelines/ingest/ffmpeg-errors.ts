// Turns FFmpeg's negative return codes into SourceErrors. FFmpeg reports POSIX errors as -errno and its own
// as tagged constants; we match codes, not log text, and keep FFmpeg's wording in the reason for debugging.
import { open } from 'node:fs/promises';
import { FFmpegError, InputFormat } from 'node-av/lib';
import {
  AVERROR_HTTP_FORBIDDEN,
  AVERROR_HTTP_NOT_FOUND,
  AVERROR_HTTP_UNAUTHORIZED,
  AVERROR_INVALIDDATA,
  AVERROR_PROTOCOL_NOT_FOUND,
} from 'node-av/constants';
import { SourceError } from './errors.ts';
import type { ParsedSource } from './source-url.ts';

// Linux errno values as FFmpeg returns them (AVERROR(e) = -e).
const E = {
  PERM: -1,
  NOENT: -2,
  IO: -5,
  ACCES: -13,
  NOTDIR: -20,
  ISDIR: -21,
  PROTONOSUPPORT: -93,
  NETUNREACH: -101,
  CONNRESET: -104,
  TIMEDOUT: -110,
  CONNREFUSED: -111,
  HOSTUNREACH: -113,
} as const;

export function ffmpegText(code: number): string {
  return FFmpegError.strerror(code);
}

/** A failure to open a source (before any frame). */
export async function openFailure(src: ParsedSource, code: number): Promise<SourceError> {
  const ff = `FFmpeg: ${ffmpegText(code)}`;
  const err = (c: SourceError['code'], reason: string): SourceError =>
    new SourceError(c, src.display, `${reason} (${ff})`, { cause: new FFmpegError(code) });
  switch (code) {
    case E.NOENT:
    case E.NOTDIR:
      return err('not_found', 'no such file');
    case E.ISDIR:
      return err('unreadable', 'is a directory, not a video file');
    case E.ACCES:
    case E.PERM:
      return err('unreadable', 'permission denied');
    case AVERROR_HTTP_NOT_FOUND:
      return err('not_found', 'the server has no stream at this path');
    case AVERROR_HTTP_UNAUTHORIZED:
    case AVERROR_HTTP_FORBIDDEN:
      return err('unreadable', 'the server refused access (check the credentials)');
    case AVERROR_PROTOCOL_NOT_FOUND:
      return err('unreadable', 'unsupported URL scheme');
  }
  if (src.live) {
    if (code === AVERROR_INVALIDDATA) return err('unreadable', 'the server answered with something that is not a media stream');
    // RTSP SETUP answered 461: the server does not offer the lower transport we asked for.
    if (code === E.PROTONOSUPPORT) return err('unreadable', 'the server refused the requested transport (try the other rtsp_transport)');
    const why: Record<number, string> = {
      [E.CONNREFUSED]: 'connection refused (nothing listening on that port)',
      [E.TIMEDOUT]: 'no answer before the timeout',
      [E.HOSTUNREACH]: 'host unreachable',
      [E.NETUNREACH]: 'network unreachable',
      [E.CONNRESET]: 'the connection was reset',
      [E.IO]: 'could not connect (unknown host or network error)',
    };
    return err('unreachable', why[code] ?? 'could not open the stream');
  }
  if (code === AVERROR_INVALIDDATA) {
    // FFmpeg says "invalid data" both for a text file and for an mp4 whose index is missing; only the
    // file's first bytes tell them apart: no container recognised from content alone => not a video.
    const format = await probeContent(src.input);
    if (format === null) return err('not_video', 'not a video file (no known container format in its first bytes)');
    const name = format.split(',')[0] ?? format;
    return err('unreadable', `damaged or incomplete ${name} file (its header or index cannot be parsed; cut off while recording?)`);
  }
  return err('unreadable', 'cannot be opened as media');
}

/** A failure while reading an already open live source. */
export function liveReadFailure(src: ParsedSource, code: number, framesSoFar: number): SourceError {
  const ff = `FFmpeg: ${ffmpegText(code)}`;
  const cause = new FFmpegError(code);
  if (code === E.TIMEDOUT || code === E.IO) {
    return new SourceError('stalled', src.display, `no data within the timeout after ${framesSoFar} frames (${ff})`, { cause });
  }
  return new SourceError('ended_early', src.display, `the stream ended after ${framesSoFar} frames (${ff})`, { cause });
}

async function probeContent(path: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // No filename: the extension must not vote (a text file named .mp4 otherwise "is" mp4).
    return InputFormat.probe(buf.subarray(0, bytesRead))?.name ?? null;
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}
