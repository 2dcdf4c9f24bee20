// Obtains files from an npm package tarball through `npm pack`, so the download comes from the npm registry
// and lands in npm's own cache (a second install reads the cache, not the network).
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Unpacks `spec` (e.g. name@1.0.0) into `dir` once; returns the unpacked root. */
export async function unpackNpmPackage(spec: string, dir: string): Promise<string> {
  const root = join(dir, spec.replace(/[^A-Za-z0-9@._-]/g, '_'));
  const done = join(root, '.unpacked');
  try {
    await readdir(done);
    return root;
  } catch {
    /* not yet unpacked */
  }
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', root], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack ${spec} produced no tarball`);
  const { filename } = packed;
  await run('tar', ['-xzf', join(root, filename), '-C', root]);
  await rm(join(root, filename));
  await mkdir(done);
  return root;
}
