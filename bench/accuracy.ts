// Accuracy of the face models on the deepface photos (shared/data/faces/deepface): verification on the 300
// labelled pairs of master.csv, gender against labels made by eye (bench/data/deepface-gender.json), and what can
// be checked without labels — the spread of predicted ages, the share of real faces called 'real', of open eyes
// called 'open', and how well the cheap landmark head pose agrees with HopeNet.
//
//   node bin/run-ts.js bench/accuracy.ts        prints the JSON summary
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DetectedFace, FaceAttributes, RgbImage } from '../schemas/records.ts';
import { loadFaceModels } from '../models/face-models.ts';
import { findModel, loadManifest } from '../models/manifest.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import { dot } from '../models/embedders/l2-normalise.ts';
import { deepfacePath, masterPairs, subjectFace, DEEPFACE_DIR } from '../models/testing/deepface.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const GENDER_LABELS = join(here, 'data', 'deepface-gender.json');

interface GenderLabels {
  readonly photos: readonly { file: string; sex: 'male' | 'female' }[];
  readonly groups: readonly { file: string; faces: readonly { x: number; y: number; sex: 'male' | 'female' }[] }[];
}

export interface VerificationResult {
  readonly pairs: number;
  readonly samePairs: number;
  readonly differentPairs: number;
  readonly threshold: number;
  readonly accuracyAtThreshold: number;
  /** the threshold with the highest accuracy (middle of the best interval) and that accuracy */
  readonly bestThreshold: number;
  readonly bestAccuracy: number;
  /** every threshold in [lo, hi) gives bestAccuracy */
  readonly bestInterval: readonly [number, number];
  /** lowest threshold whose false-accept rate is ≤ 1 %, and the true-accept rate there */
  readonly thresholdAtFar1: number;
  readonly tarAtFar1: number;
  readonly sameSimilarity: Summary;
  readonly differentSimilarity: Summary;
}

export interface Summary {
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export interface AccuracyReport {
  readonly data: string;
  readonly verification: VerificationResult;
  readonly gender: { readonly faces: number; readonly correct: number; readonly accuracy: number; readonly threshold: number; readonly wrong: readonly string[] };
  readonly age: Summary & { readonly faces: number; readonly shareIn30to45: number };
  readonly liveness: { readonly faces: number; readonly calledReal: number; readonly note: string };
  readonly eyes: { readonly faces: number; readonly calledOpen: number; readonly note: string };
  readonly headpose: { readonly faces: number; readonly rmsYawDiff: number; readonly rmsPitchDiff: number; readonly rmsRollDiff: number; readonly note: string };
}

function summary(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { min: r(s[0]!), p10: r(at(0.1)), median: r(at(0.5)), p90: r(at(0.9)), max: r(s[s.length - 1]!) };
}

/** Verification metrics from labelled similarities. Pure, so the threshold choice is testable. */
export function verificationMetrics(sims: readonly { s: number; same: boolean }[], threshold: number): VerificationResult {
  const same = sims.filter((x) => x.same).map((x) => x.s);
  const diff = sims.filter((x) => !x.same).map((x) => x.s);
  const accuracy = (t: number) => sims.filter((x) => x.s >= t === x.same).length / sims.length;
  // candidate thresholds: every observed similarity (a threshold just at a value accepts it)
  const cands = [...new Set(sims.map((x) => x.s))].sort((a, b) => a - b);
  let best = -1;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < cands.length; i++) {
    const a = accuracy(cands[i]!);
    if (a > best) {
      best = a;
      lo = cands[i - 1] ?? cands[i]! - 1e-3;
      hi = cands[i]!;
    }
  }
  // accuracy is constant on (cands[i−1], cands[i]]: report the open interval and its midpoint
  const far = (t: number) => diff.filter((s) => s >= t).length / diff.length;
  const tFar = cands.find((t) => far(t) <= 0.01) ?? 1;
  const r = (v: number) => Math.round(v * 10000) / 10000;
  return {
    pairs: sims.length,
    samePairs: same.length,
    differentPairs: diff.length,
    threshold,
    accuracyAtThreshold: r(accuracy(threshold)),
    bestThreshold: r((lo + hi) / 2),
    bestAccuracy: r(best),
    bestInterval: [r(lo), r(hi)],
    thresholdAtFar1: r(tFar),
    tarAtFar1: r(same.filter((s) => s >= tFar).length / same.length),
    sameSimilarity: summary(same),
    differentSimilarity: summary(diff),
  };
}

function nearest(faces: readonly DetectedFace[], x: number, y: number): DetectedFace | undefined {
  let best: DetectedFace | undefined;
  let bd = Infinity;
  for (const f of faces) {
    const d = Math.hypot((f.box.x1 + f.box.x2) / 2 - x, (f.box.y1 + f.box.y2) / 2 - y);
    // must fall inside the box to count
    if (d < bd && x >= f.box.x1 && x <= f.box.x2 && y >= f.box.y1 && y <= f.box.y2) {
      bd = d;
      best = f;
    }
  }
  return best;
}

export async function measureAccuracy(opts: { intraOpThreads?: number } = {}): Promise<AccuracyReport> {
  const manifest = loadManifest();
  const threshold = findModel(manifest, 'embedder')?.thresholds?.['match'] ?? 0.4;
  const maleThreshold = findModel(manifest, 'gender')?.thresholds?.['male'] ?? 0.6;
  const all = { gender: true, age: true, emotions: false, eyes: true, liveness: true, headpose: true };
  const models = await loadFaceModels({
    detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 },
    intraOpThreads: opts.intraOpThreads ?? 2,
    attributes: all,
  });
  try {
    const images = new Map<string, RgbImage>();
    const detections = new Map<string, DetectedFace[]>();
    const load = async (file: string) => {
      if (!images.has(file)) {
        const img = await readPhoto(deepfacePath(file));
        images.set(file, img);
        detections.set(file, await models.detect(img));
      }
      return { image: images.get(file)!, faces: detections.get(file)! };
    };

    // verification: one vector per photo, its subject
    const pairs = masterPairs();
    const vectors = new Map<string, Float32Array>();
    for (const file of new Set(pairs.flatMap((p) => [p.a, p.b]))) {
      const { image, faces } = await load(file);
      const face = subjectFace(faces);
      if (!face) throw new Error(`no face found in ${file}`);
      vectors.set(file, (await models.embed([{ image, face }]))[0]!);
    }
    const verification = verificationMetrics(
      pairs.map((p) => ({ s: dot(vectors.get(p.a)!, vectors.get(p.b)!), same: p.same })),
      threshold,
    );

    // attributes on every labelled face
    const labels = JSON.parse(readFileSync(GENDER_LABELS, 'utf8')) as GenderLabels;
    const labelled: { file: string; image: RgbImage; face: DetectedFace; sex: 'male' | 'female' }[] = [];
    for (const p of labels.photos) {
      const { image, faces } = await load(p.file);
      const face = subjectFace(faces);
      if (face) labelled.push({ file: p.file, image, face, sex: p.sex });
    }
    for (const g of labels.groups) {
      const { image, faces } = await load(g.file);
      for (const l of g.faces) {
        const face = nearest(faces, l.x, l.y);
        if (face) labelled.push({ file: `${g.file}@${l.x},${l.y}`, image, face, sex: l.sex });
      }
    }
    const attrs: FaceAttributes[] = await models.attributes(labelled, all);
    const wrong = labelled.filter((l, i) => attrs[i]!.gender?.name !== l.sex).map((l) => l.file);
    const ages = attrs.map((a) => a.age!).filter((a) => a !== undefined);
    const rms = (xs: number[]) => Math.round(Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length) * 10) / 10;
    const hp = labelled.map((l, i) => ({ est: l.face.pose, net: attrs[i]!.headpose! }));

    return {
      data: DEEPFACE_DIR,
      verification,
      gender: {
        faces: labelled.length,
        correct: labelled.length - wrong.length,
        accuracy: Math.round(((labelled.length - wrong.length) / labelled.length) * 1000) / 1000,
        threshold: maleThreshold,
        wrong,
      },
      age: { faces: ages.length, ...summary(ages), shareIn30to45: Math.round((ages.filter((a) => a >= 30 && a <= 45).length / ages.length) * 1000) / 1000 },
      liveness: {
        faces: attrs.length,
        calledReal: attrs.filter((a) => a.liveness?.name === 'real').length,
        note: 'all faces are real photos of real people; no spoofs in the set, so this is the true-real rate only',
      },
      eyes: {
        faces: attrs.length,
        calledOpen: attrs.filter((a) => a.eyes?.name === 'open').length,
        note: 'every labelled face has its eyes open (checked by eye), so this is the open-eye recall only',
      },
      headpose: {
        faces: hp.length,
        rmsYawDiff: rms(hp.map((h) => h.est.yaw - h.net.yaw)),
        rmsPitchDiff: rms(hp.map((h) => h.est.pitch - h.net.pitch)),
        rmsRollDiff: rms(hp.map((h) => h.est.roll - h.net.roll)),
        note: 'landmark estimate (every detection) vs HopeNet (the headpose attribute); no ground truth',
      },
    };
  } finally {
    await models.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureAccuracy(), null, 2));
}
