// A lock between processes on one machine: a directory made with mkdir (atomic), holding the owner's pid.
// Used so that two processes starting at once do not fetch the Kafka jars or start a CLI's or a test run's service twice.
// A lock whose owner died (crash, SIGKILL) is taken over instead of waited on forever.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isAlive, sleep } from './process.ts';

export interface DirLockOptions {
  /** Give up waiting for another owner after this long. */
  readonly timeoutMs?: number;
  /** Called once when the lock is busy, e.g. to say what we are waiting for. */
  readonly onWait?: (ownerPid: number | undefined) => void;
}

const POLL_MS = 200;
/** A lock directory with no owner file yet is being created; after this long its creator is presumed dead. */
const UNOWNED_GRACE_MS = 10_000;

export async function withDirLock<T>(lockDir: string, fn: () => Promise<T>, opts: DirLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  await mkdir(dirname(lockDir), { recursive: true });
  let warned = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(lockDir);
    if (await isStale(lockDir, owner)) {
      // Move it aside first: rename is atomic, so only one waiter removes a given stale lock.
      const aside = `${lockDir}.stale-${process.pid}-${Date.now()}`;
      await rename(lockDir, aside).then(
        () => rm(aside, { recursive: true, force: true }),
        () => undefined,
      );
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for the lock ${lockDir} held by pid ${owner ?? '?'}; remove it if that process is gone`);
    }
    if (!warned) {
      warned = true;
      opts.onWait?.(owner);
    }
    await sleep(POLL_MS);
  }
  await writeFile(join(lockDir, 'owner'), `${process.pid}\n`);
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function readOwner(lockDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(join(lockDir, 'owner'), 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lockDir: string, owner: number | undefined): Promise<boolean> {
  if (owner !== undefined) return !isAlive(owner);
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs > UNOWNED_GRACE_MS;
  } catch {
    return false; // gone already: the next mkdir decides
  }
}
