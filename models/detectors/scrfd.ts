// SCRFD (InsightFace, ICLR 2022) ONNX exports, e.g. scrfd_2.5g_bnkps / scrfd_10g_bnkps (det_10g.onnx of buffalo_l).
//
// Input [1, 3, H, W] (dynamic in the official exports, 640×640 typical), RGB, (v − 127.5)/128 — all from the manifest.
// The frame is letterboxed: resized keeping its aspect so it fits H×W, placed top-left, the rest black (the
// reference `SCRFD.detect` does the same), and results are mapped back by the inverse scale.
//
// Outputs, per stride s (3 levels 8/16/32 with 2 anchors per location; 5 levels 8…128 with 1 anchor in some models):
//   score [N, 1] (already sigmoid), bbox [N, 4] distances (left, top, right, bottom) in units of s,
//   kps [N, 10] offsets of 5 points in units of s (only in the *_kps / *_bnkps models),
// where N = A · ceil(H/s) · ceil(W/s), row k belongs to anchor k mod A of cell ⌊k/A⌋ = y·cols + x, whose centre is
// (x·s, y·s) (no half-cell offset). Box = centre ∓ distances·s (distance2bbox), point j = centre + offset_j·s
// (distance2kps). A leading batch axis of 1 ([1, N, C]) is accepted.
//
// Output ORDER differs between exports: InsightFace's scrfd2onnx.py and the model-zoo files list them grouped by
// kind (score_8, score_16, score_32, bbox_8, …, kps_32; the zoo files use numeric names), some re-exports group them
// by stride (score_8, bbox_8, kps_8, score_16, …). Neither names nor order are trusted: each output is classified by
// its shape — the last axis (1 = score, 4 = bbox, 10 = kps) gives the kind, the row count gives the stride (more
// rows = finer stride) — so both orderings, and any other, decode the same.
//
// The 5 points are the model's own (eyes left/right as seen in the image, nose, mouth corners) and are returned
// as `landmarks5`. This file also holds the letterbox/region/NMS loop shared with yunet.ts.
import type * as ort from 'onnxruntime-node';
import type { Box, Point, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { createSession, runBatch, type SessionOptions, releaseOnce } from '../session.ts';
import { cropResize } from '../image/crop-resize.ts';
import { writeTensor, type TensorInput } from '../image/to-tensor.ts';
import { toRawDetections, type DetectOptions, type Detector, type DetectorFactory, type RawDetection } from './detector.ts';
import { detectionRegions, mergeRegions } from './tiles.ts';

/** A decoded face in network-input (canvas) pixels, before it is mapped back to the frame. */
export interface Candidate {
  readonly box: Box;
  readonly score: number;
  readonly landmarks5?: readonly Point[];
}

/** Decodes one session result into candidates with score ≥ minScore, in canvas pixels. */
export type Decode = (out: ort.InferenceSession.OnnxValueMapType, minScore: number) => Candidate[];

/** The network input size the letterbox fills: the manifest's size rounded up to a multiple of `multiple`. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
}

/** How one region of the frame sits in the canvas: resized to w×h at the top-left, per-axis scale sx, sy. */
export interface Letterbox {
  readonly region: Box;
  readonly w: number;
  readonly h: number;
  readonly sx: number;
  readonly sy: number;
}

/** Feature maps of these detectors halve 5 times (stride 32): inputs are padded to a multiple of 32 as OpenCV does. */
export const CANVAS_MULTIPLE = 32;
/** At most this many candidates go into NMS (OpenCV FaceDetectorYN's default top_k). */
const DEFAULT_TOP_K = 5000;

export function canvasFor(input: TensorInput, multiple = CANVAS_MULTIPLE): Canvas {
  const up = (v: number): number => Math.ceil(v / multiple) * multiple;
  return { width: up(input.width), height: up(input.height) };
}

/** Scale keeping the aspect so the region fits the canvas; the resized size is rounded and the scale follows it. */
export function letterboxGeometry(region: Box, canvas: Canvas): Letterbox {
  const rw = region.x2 - region.x1;
  const rh = region.y2 - region.y1;
  const s = Math.min(canvas.width / rw, canvas.height / rh);
  const w = Math.max(1, Math.min(canvas.width, Math.round(rw * s)));
  const h = Math.max(1, Math.min(canvas.height, Math.round(rh * s)));
  return { region, w, h, sx: w / rw, sy: h / rh };
}

/** The canvas image: the region resized to lb.w × lb.h at the top-left, black (0) elsewhere. */
export function letterboxImage(image: RgbImage, lb: Letterbox, canvas: Canvas): RgbImage {
  const resized = cropResize(image, lb.region, lb.w, lb.h);
  const data = new Uint8Array(canvas.width * canvas.height * 3);
  const row = lb.w * 3;
  for (let y = 0; y < lb.h; y++) data.set(resized.data.subarray(y * row, (y + 1) * row), y * canvas.width * 3);
  return { width: canvas.width, height: canvas.height, data };
}

/** Canvas pixels → frame pixels (the inverse of the letterbox; pixel edges, x2/y2 exclusive, as cropResize). */
export function toFrame(c: Candidate, lb: Letterbox): Candidate {
  const x = (u: number): number => lb.region.x1 + u / lb.sx;
  const y = (v: number): number => lb.region.y1 + v / lb.sy;
  const box = { x1: x(c.box.x1), y1: y(c.box.y1), x2: x(c.box.x2), y2: y(c.box.y2) };
  return c.landmarks5 ? { box, score: c.score, landmarks5: c.landmarks5.map(([u, v]) => [x(u), y(v)] as const) } : { box, score: c.score };
}

export interface LetterboxDetectorSpec {
  /** manifest kind, for error messages */
  readonly kind: string;
  readonly defaultScore: number;
  readonly defaultNms: number;
  /** builds the decoder once the session (its output names) and canvas are known */
  makeDecode(session: ort.InferenceSession, canvas: Canvas, entry: ModelEntry): Decode;
}

/**
 * A detector whose network sees the frame letterboxed into a fixed canvas and whose outputs decode to candidates
 * in canvas pixels. Regions (whole frame, plus tiles when asked) run one at a time with batch 1, so exports with a
 * fixed batch axis work unprepared. Thresholds from the manifest: `score`, `nms`, optional `topK`.
 */
export async function createLetterboxDetector(
  spec: LetterboxDetectorSpec,
  entry: ModelEntry,
  modelFile: string,
  sessionOpts: SessionOptions,
): Promise<Detector> {
  const input = entry.input;
  if (input.channels !== 3 || input.colour === 'grey') throw new Error(`detector ${entry.id} (${spec.kind}): needs a 3-channel colour input`);
  const canvas = canvasFor(input);
  const tensorInput: TensorInput = { ...input, width: canvas.width, height: canvas.height };
  const session = await createSession(modelFile, sessionOpts);
  const decode = spec.makeDecode(session, canvas, entry);
  const manifestScore = entry.thresholds?.['score'] ?? spec.defaultScore;
  const nmsIou = entry.thresholds?.['nms'] ?? spec.defaultNms;
  const topK = entry.thresholds?.['topK'] ?? DEFAULT_TOP_K;

  async function detect(image: RgbImage, opts: DetectOptions = {}): Promise<RawDetection[]> {
    const minScore = opts.minScore ?? manifestScore;
    const regions = detectionRegions(image.width, image.height, opts.tiles);

    // one buffer per call (calls may overlap), reused by its regions, which run one after another
    const data = new Float32Array(3 * canvas.width * canvas.height);
    const perRegion: Candidate[][] = [];
    for (const r of regions) {
      const lb = letterboxGeometry(r.box, canvas);
      writeTensor(letterboxImage(image, lb, canvas), tensorInput, data, 0);
      const out = await runBatch(session, data, 1, [3, canvas.height, canvas.width]);
      perRegion.push(
        decode(out, minScore)
          .filter((c) => c.box.x2 > c.box.x1 && c.box.y2 > c.box.y1)
          .sort((a, b) => b.score - a.score)
          .slice(0, topK)
          .map((c) => toFrame(c, lb)),
      );
    }
    const merged = mergeRegions(perRegion, regions, nmsIou);
    return toRawDetections(merged, opts.minFaceSize);
  }

  return {
    id: entry.id,
    detect,
    close: releaseOnce(session),
  };
}

// ---- SCRFD output layout ----

export interface ScrfdLevel {
  readonly stride: number;
  readonly anchors: number;
  /** feature-map columns (cells per row) */
  readonly cols: number;
  readonly score: Float32Array;
  readonly bbox: Float32Array;
  readonly kps?: Float32Array;
}

interface Classified {
  readonly name: string;
  readonly rows: number;
  readonly data: Float32Array;
}

function shapeOf(name: string, t: ort.Tensor | undefined): { rows: number; channels: number } {
  if (!t) throw new Error(`SCRFD output ${name} missing`);
  const dims = t.dims;
  const channels = dims[dims.length - 1] ?? 0;
  const lead = dims.slice(0, -1);
  // [N, C] or [1, N, C]
  const ok = (lead.length === 1 || (lead.length === 2 && lead[0] === 1)) && channels > 0;
  if (!ok) throw new Error(`SCRFD output ${name} has shape [${dims.join(', ')}]: expected [N, C] or [1, N, C]`);
  return { rows: lead[lead.length - 1]!, channels };
}

/**
 * Assigns each output to (kind, stride) by shape, independent of output names and order. Throws, naming the
 * shapes, when they do not form 3 or 5 pyramid levels consistent with the canvas.
 */
export function scrfdLevels(outputs: Readonly<Record<string, ort.Tensor | undefined>>, names: readonly string[], canvas: Canvas): ScrfdLevel[] {
  const byKind: Record<1 | 4 | 10, Classified[]> = { 1: [], 4: [], 10: [] };
  const described: string[] = [];
  for (const name of names) {
    const t = outputs[name];
    const { rows, channels } = shapeOf(name, t);
    described.push(`${name} [${t!.dims.join(', ')}]`);
    if (channels !== 1 && channels !== 4 && channels !== 10) {
      throw new Error(`SCRFD output ${name} has ${channels} channels: expected 1 (score), 4 (bbox) or 10 (kps)`);
    }
    byKind[channels].push({ name, rows, data: t!.data as Float32Array });
  }
  const [scores, boxes, kps] = [byKind[1], byKind[4], byKind[10]].map((g) => [...g].sort((a, b) => b.rows - a.rows)) as [Classified[], Classified[], Classified[]];
  const levels = scores.length;
  const fail = (why: string): never => {
    throw new Error(`SCRFD outputs do not match a ${canvas.width}×${canvas.height} input: ${why} (outputs: ${described.join(', ')})`);
  };
  if (levels !== 3 && levels !== 5) fail(`${levels} score outputs, expected 3 (strides 8/16/32) or 5 (8…128)`);
  if (boxes.length !== levels) fail(`${boxes.length} bbox outputs for ${levels} score outputs`);
  if (kps.length !== 0 && kps.length !== levels) fail(`${kps.length} kps outputs for ${levels} score outputs`);

  return scores.map((s, i) => {
    const stride = 8 << i;
    const cols = Math.ceil(canvas.width / stride);
    const cells = cols * Math.ceil(canvas.height / stride);
    const anchors = s.rows / cells;
    // 3-level SCRFD has 2 anchors per cell, 5-level 1: anything else means the input size is not the one the
    // outputs were computed for
    if (anchors !== (levels === 3 ? 2 : 1)) fail(`stride ${stride} has ${cells} cells but ${s.name} has ${s.rows} rows`);
    const b = boxes[i]!;
    const k = kps[i];
    if (b.rows !== s.rows || (k && k.rows !== s.rows)) fail(`stride ${stride}: score, bbox and kps row counts differ`);
    return k ? { stride, anchors, cols, score: s.data, bbox: b.data, kps: k.data } : { stride, anchors, cols, score: s.data, bbox: b.data };
  });
}

/** distance2bbox / distance2kps over every level, keeping rows with score ≥ minScore. Canvas pixels. */
export function decodeScrfd(levels: readonly ScrfdLevel[], minScore: number): Candidate[] {
  const out: Candidate[] = [];
  for (const { stride: s, anchors, cols, score, bbox, kps } of levels) {
    for (let k = 0; k < score.length; k++) {
      const sc = score[k]!;
      if (!(sc >= minScore)) continue;
      const cell = Math.floor(k / anchors);
      const cx = (cell % cols) * s;
      const cy = Math.floor(cell / cols) * s;
      const box = { x1: cx - bbox[k * 4]! * s, y1: cy - bbox[k * 4 + 1]! * s, x2: cx + bbox[k * 4 + 2]! * s, y2: cy + bbox[k * 4 + 3]! * s };
      if (!kps) {
        out.push({ box, score: sc });
        continue;
      }
      const landmarks5: Point[] = [];
      for (let j = 0; j < 5; j++) landmarks5.push([cx + kps[k * 10 + 2 * j]! * s, cy + kps[k * 10 + 2 * j + 1]! * s]);
      out.push({ box, score: sc, landmarks5 });
    }
  }
  return out;
}

export const scrfd: DetectorFactory = {
  kind: 'scrfd',
  create: (entry, modelFile, sessionOpts) =>
    createLetterboxDetector(
      {
        kind: 'scrfd',
        // InsightFace's defaults: det_thresh 0.5, nms_thresh 0.4
        defaultScore: 0.5,
        defaultNms: 0.4,
        makeDecode: (session, canvas) => (out, minScore) => decodeScrfd(scrfdLevels(out as Record<string, ort.Tensor>, session.outputNames, canvas), minScore),
      },
      entry,
      modelFile,
      sessionOpts,
    ),
};
