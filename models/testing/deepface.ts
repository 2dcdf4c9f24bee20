// The deepface test photos (shared/data/faces/deepface, MIT, from serengil/deepface): paths and the verification
// pairs of master.csv. Used by tests and bench/accuracy.ts; the data folder can be moved with FACESTREAM_DATA.
import { SHARED_DATA } from '../../test/paths.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectedFace } from '../../schemas/records.ts';
import type { FaceModels } from '../face-models.types.ts';
import { readPhoto } from '../image/read-photo.ts';

export const DATA_DIR = process.env['FACESTREAM_DATA'] ?? SHARED_DATA;
export const DEEPFACE_DIR = join(DATA_DIR, 'faces', 'deepface');

export interface VerificationPair {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
}

/** The 300 labelled pairs (file names relative to DEEPFACE_DIR). */
export function masterPairs(dir = DEEPFACE_DIR): VerificationPair[] {
  return readFileSync(join(dir, 'master.csv'), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [a, b, decision] = l.trim().split(',');
      if (!a || !b || (decision !== 'Yes' && decision !== 'No')) throw new Error(`master.csv: bad line "${l}"`);
      return { a, b, same: decision === 'Yes' };
    });
}

export function deepfacePath(file: string): string {
  return join(DEEPFACE_DIR, file);
}

/**
 * The subject of a single-person photo: the most confident detection, ties (within 0.01) broken by size — size
 * alone can pick a large false box on a blurred crowd (img41.jpg).
 */
export function subjectFace<T extends Pick<DetectedFace, 'box' | 'score'>>(faces: readonly T[]): T | undefined {
  if (faces.length === 0) return undefined;
  const top = Math.max(...faces.map((f) => f.score));
  return faces
    .filter((f) => f.score >= top - 0.01)
    .reduce((a, b) => (b.box.y2 - b.box.y1 > a.box.y2 - a.box.y1 ? b : a));
}

/**
 * The people of master.csv: photos joined by its "Yes" pairs (union-find), each group one person, in order of
 * first appearance; photos only in "No" pairs are people of their own.
 */
export function identityGroups(pairs: readonly VerificationPair[] = masterPairs()): string[][] {
  const parent = new Map<string, string>();
  const root = (f: string): string => {
    let r = f;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(f, r);
    return r;
  };
  for (const p of pairs) for (const f of [p.a, p.b]) if (!parent.has(f)) parent.set(f, f);
  for (const p of pairs) if (p.same) parent.set(root(p.b), root(p.a));
  const groups = new Map<string, string[]>();
  for (const f of parent.keys()) groups.set(root(f), [...(groups.get(root(f)) ?? []), f]);
  return [...groups.values()];
}

/** The embedding of each photo's subject face (subjectFace), by file name; a photo without a face is an error. */
export async function embedSubjects(models: Pick<FaceModels, 'detect' | 'embed'>, files: readonly string[]): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  for (const file of files) {
    const image = await readPhoto(deepfacePath(file));
    const face = subjectFace(await models.detect(image));
    if (!face) throw new Error(`no face found in ${file}`);
    vectors.set(file, (await models.embed([{ image, face }]))[0]!);
  }
  return vectors;
}
