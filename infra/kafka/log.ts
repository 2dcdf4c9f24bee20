// Reading the broker's log to explain a failed start: the last lines, and the ERROR/FATAL entries (with their
// exception and "Caused by" lines) written since a given offset, since the cause often scrolls out of the tail.
import { open, stat } from 'node:fs/promises';

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readRange(path: string, from: number, maxBytes: number): Promise<string> {
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

/** ERROR and FATAL entries logged after byte `from`, each with its exception and cause lines (stack frames left out). */
export async function errorEntries(path: string, from: number, maxLines = 20): Promise<string> {
  const out: string[] = [];
  let inError = false;
  for (const line of (await readRange(path, from, 4 * 1024 * 1024)).split('\n')) {
    if (/^\[[^\]]+\] /.test(line)) inError = / (ERROR|FATAL) /.test(line);
    else if (!inError || /^\s+(at |\.\.\. \d+ more)/.test(line) || line.trim() === '') continue;
    if (inError) out.push(line);
  }
  return out.slice(0, maxLines).join('\n');
}
