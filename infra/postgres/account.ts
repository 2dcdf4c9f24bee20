// Which account runs the server. PostgreSQL refuses to run as root (initdb and postgres both check), and our CI
// runs as root: then the cluster runs as Debian's `postgres` system user (made by the postgresql-common package),
// its directory handed to that user. Otherwise it runs as the calling user.
import { chown, readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INSTALL_HINT } from './layout.ts';

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The account to run initdb and postgres as, or undefined to run them as ourselves. */
export function serverAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env['FACESTREAM_PG_USER'] || 'postgres';
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`running as root, and PostgreSQL refuses root: it runs as the user "${name}", which does not exist. ${INSTALL_HINT}`);
  }
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** Gives `dir` and everything in it to the account (a no-op when we run the server as ourselves). */
export async function handOver(dir: string, account: Account | undefined): Promise<void> {
  if (account === undefined) return;
  await chown(dir, account.uid, account.gid);
  if (!(await stat(dir)).isDirectory()) return;
  for (const name of await readdir(dir)) await handOver(join(dir, name), account);
}

/**
 * Throws unless the account can reach `dir` (every directory above it searchable by that account): a cluster under a
 * private directory (mode 0700, e.g. from mktemp -d) cannot be used by the `postgres` user.
 */
export async function assertReachable(dir: string, account: Account | undefined): Promise<void> {
  if (account === undefined) return;
  for (let d = dirname(dir); ; d = dirname(d)) {
    const st = await stat(d);
    const searchable = st.uid === account.uid ? st.mode & 0o100 : st.gid === account.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!searchable) {
      throw new Error(`PostgreSQL runs as "${account.name}", which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}): put the cluster ${dir} under a directory others may search (chmod o+x ${d})`);
    }
    if (d === dirname(d)) return;
  }
}
