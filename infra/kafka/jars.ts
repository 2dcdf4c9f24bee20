// The Apache Kafka 3.9.1 jars, fetched once from Maven Central with the POM beside this file and cached under
// ${XDG_CACHE_HOME:-~/.cache}/facestream/kafka-3.9.1/libs. A stamp written after a complete fetch marks the cache good;
// a fetch goes to a temporary directory renamed into place, so an interrupted one is simply redone. A lock keeps two
// processes starting at once from running Maven together.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDirLock } from '../local-service/lock.ts';

export const KAFKA_VERSION = '3.9.1';
const POM = fileURLToPath(new URL('./pom.xml', import.meta.url));
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies';

export interface KafkaJarsOptions {
  /** Where the cache lives; default `${XDG_CACHE_HOME:-~/.cache}/facestream/kafka-3.9.1`. */
  readonly cacheDir?: string;
  /** Progress lines ("fetching…"); default: stderr. */
  readonly log?: (line: string) => void;
  /** Puts the jars into the given new directory; default: Maven with pom.xml. Tests replace it. */
  readonly fetch?: (outputDir: string) => Promise<void>;
}

interface Stamp {
  readonly pomSha256: string;
  readonly jars: number;
  readonly fetchedAt: string;
}

export function defaultKafkaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'facestream', `kafka-${KAFKA_VERSION}`);
}

/** Returns the directory holding the broker's jars (the classpath is `<dir>/*`), fetching them first if needed. */
export async function ensureKafkaJars(opts: KafkaJarsOptions = {}): Promise<string> {
  const root = opts.cacheDir ?? defaultKafkaCacheDir();
  const libs = join(root, 'libs');
  const stampFile = join(root, 'libs.stamp.json');
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pomSha256 = createHash('sha256').update(await readFile(POM)).digest('hex');

  if (await stampMatches(stampFile, pomSha256, libs)) return libs;
  await mkdir(root, { recursive: true });
  return withDirLock(
    join(root, 'fetch.lock'),
    async () => {
      if (await stampMatches(stampFile, pomSha256, libs)) return libs; // another process fetched while we waited
      const fetchInto = opts.fetch ?? runMaven;
      if (!opts.fetch) await requireCommand('mvn', ['-v'], 'Maven (mvn) is needed once to fetch the Kafka jars: apt-get install maven');
      // We hold the lock: any other temporary directory is what a killed fetch left behind.
      for (const name of await readdir(root)) {
        if (name.startsWith('libs.tmp-')) await rm(join(root, name), { recursive: true, force: true });
      }
      const tmp = join(root, `libs.tmp-${process.pid}`);
      const started = Date.now();
      log(`kafka: fetching the Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (once)…`);
      let jars: string[];
      try {
        await fetchInto(tmp);
        jars = (await readdir(tmp)).filter((f) => f.endsWith('.jar'));
        if (!jars.some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
          throw new Error(`the fetch finished but left no kafka_2.13-${KAFKA_VERSION}.jar in ${tmp}`);
        }
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
      await rm(stampFile, { force: true });
      await rm(libs, { recursive: true, force: true });
      await rename(tmp, libs);
      const stamp: Stamp = { pomSha256, jars: jars.length, fetchedAt: new Date().toISOString() };
      await writeFile(`${stampFile}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
      await rename(`${stampFile}.tmp`, stampFile);
      log(`kafka: ${jars.length} jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return libs;
    },
    { onWait: (pid) => log(`kafka: waiting for pid ${pid ?? '?'} to finish fetching the Kafka jars…`) },
  );
}

async function stampMatches(stampFile: string, pomSha256: string, libs: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as Partial<Stamp>;
    return stamp.pomSha256 === pomSha256 && existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`));
  } catch {
    return false;
  }
}

function runMaven(outputDir: string): Promise<void> {
  const args = ['-q', '-B', '-f', POM, DEPENDENCY_PLUGIN, '-DincludeScope=runtime', `-DoutputDirectory=${outputDir}`];
  return new Promise((resolve, reject) => {
    execFile('mvn', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const tail = `${stdout}\n${stderr}`.split('\n').filter((l) => l.trim() !== '').slice(-30).join('\n');
      reject(new Error(`fetching the Kafka jars failed: mvn ${args.join(' ')}\n${tail}`));
    });
  });
}

/** Runs `cmd args` once to check the tool is installed; throws `hint` if it is not on PATH. */
export function requireCommand(cmd: string, args: readonly string[], hint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000 }, (err) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error(`${cmd} not found on PATH. ${hint}`));
      else if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}`));
      else resolve();
    });
  });
}
