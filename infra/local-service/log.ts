// Reading a service's log to explain a failed start: its size (where this start's lines begin), a byte range, and
// the last lines.
import { open, stat } from 'node:fs/promises';

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The bytes of a text file from `from` on, at most its last `maxBytes` ('' if it does not exist). */
export async function readRange(path: string, from: number, maxBytes: number): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(from, size - maxBytes, 0);
    const buf = Buffer.alloc(Math.max(size - start, 0));
    await fh.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The last `lines` non-empty lines of a text file ('' if it does not exist). */
export async function tailFile(path: string, lines: number): Promise<string> {
  const text = await readRange(path, 0, 64 * 1024);
  return text.split('\n').filter((l) => l !== '').slice(-lines).join('\n');
}

/** A section for a failure message: the file's last `lines` lines under a heading, or that there is no such file. */
export async function tailSection(path: string, lines: number, missing: string): Promise<string> {
  const tail = await tailFile(path, lines);
  return tail ? `--- ${path} (last ${lines} lines) ---\n${tail}` : `(${missing} at ${path})`;
}
