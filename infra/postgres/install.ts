// Makes sure Debian's PostgreSQL server binaries are there before a test starts a cluster: runs install.sh (apt-get,
// as root) only when they are missing, once per process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { binDir, hasBinaries } from './layout.ts';

const SCRIPT = fileURLToPath(new URL('./install.sh', import.meta.url));
let installing: Promise<void> | undefined;

export function ensurePostgresBinaries(): Promise<void> {
  if (hasBinaries(binDir())) return Promise.resolve();
  installing ??= promisify(execFile)('bash', [SCRIPT], { timeout: 600_000 }).then(() => undefined);
  return installing;
}
