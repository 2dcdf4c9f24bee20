// The deepface test photos (shared/data/faces/deepface, MIT, from serengil/deepface): paths and the verification
// pairs of master.csv. Used by tests and bench/accuracy.ts; the data folder can be moved with FACESTREAM_DATA.
import { SHARED_DATA } from '../../test/paths.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectedFace } from '../../schemas/records.ts';

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
