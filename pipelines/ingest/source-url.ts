// What a source string names: a local file (plain path or file:// URL) or a live network stream. Files and
// live streams differ in timestamps (stream time vs wall clock) and in which failures are worth a retry.
import { fileURLToPath } from 'node:url';

export interface ParsedSource {
  /** what FFmpeg opens: a filesystem path for files, the URL otherwise */
  readonly input: string;
  readonly live: boolean;
  /** safe to log: credentials removed */
  readonly display: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parseSource(url: string): ParsedSource {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { input: url, live: false, display: url };
  if (scheme === 'file') {
    const path = fileURLToPath(url);
    return { input: path, live: false, display: path };
  }
  return { input: url, live: true, display: redactSource(url) };
}

/** Removes user:password from a URL so it can appear in logs and error messages. */
export function redactSource(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

export function isRtsp(url: string): boolean {
  return /^rtsps?:\/\//i.test(url);
}
