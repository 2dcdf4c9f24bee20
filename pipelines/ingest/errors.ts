// Why a video source could not be read. The code list is closed so the supervisor decides retry vs give-up
// from `code`/`retryable`, never from message text; the message is for people and names the source.

export const SOURCE_ERROR_CODES = [
  /** nothing at that path, or the server has no such stream (RTSP 404) */
  'not_found',
  /** it exists but cannot be read as media: permissions, a directory, a damaged container */
  'unreadable',
  /** readable, but not video: no container recognised, no video stream, or no decoder for it */
  'not_video',
  /** a live source could not be connected to (refused, no route, DNS, timeout while opening) */
  'unreachable',
  /** a live source stopped delivering for longer than the timeout */
  'stalled',
  /** a live source closed the stream; live streams are not supposed to end */
  'ended_early',
] as const;
export type SourceErrorCode = (typeof SOURCE_ERROR_CODES)[number];

// A live source that failed this way may well work a moment later; a bad file will not.
const RETRYABLE: ReadonlySet<SourceErrorCode> = new Set(['unreachable', 'stalled', 'ended_early']);

export class SourceError extends Error {
  override readonly name = 'SourceError';
  readonly retryable: boolean;

  constructor(
    readonly code: SourceErrorCode,
    /** the source as safe to log: credentials removed */
    readonly source: string,
    /** plain words, e.g. "no such file" */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`video source ${source}: ${reason} [${code}]`, options);
    this.retryable = RETRYABLE.has(code);
  }
}

export function isSourceError(e: unknown): e is SourceError {
  return e instanceof SourceError;
}

