// Kafka's log4j log (`[date] LEVEL message (logger)`): the ERROR/FATAL entries (with their exception and "Caused by"
// lines) written since a given offset, quoted when a start fails, since the cause often scrolls out of the tail.
import { readRange } from '../local-service/log.ts';

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
