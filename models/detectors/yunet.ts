// YuNet (libfacedetection; OpenCV Zoo face_detection_yunet_2023mar.onnx), decoded as OpenCV's FaceDetectorYN does
// (modules/objdetect/src/face_detect.cpp, postProcess).
//
// Input [1, 3, H, W], BGR, raw 0–255 (OpenCV's blobFromImage with no scale, mean or channel swap on a BGR Mat) — the
// manifest says colour "bgr", mean [0], std [1]. OpenCV pads the image bottom/right to a multiple of 32; here the
// frame is letterboxed (aspect kept, top-left, black padding) into the manifest size rounded up to a multiple of 32.
// The Zoo file has a FIXED input shape (OpenCV reshapes it; onnxruntime does not), so the manifest size must be the
// file's own, 640×640.
//
// Outputs, for s in 8, 16, 32, one anchor per cell of a cols × rows map (cols = W/s, rows = H/s), row r·cols + c:
//   cls_s [1, N, 1], obj_s [1, N, 1]: score = sqrt(clamp01(cls) · clamp01(obj))
//   bbox_s [1, N, 4]: centre ((c + b0)·s, (r + b1)·s), size (exp(b2)·s, exp(b3)·s)
//   kps_s [1, N, 10]: point j = ((k2j + c)·s, (k2j+1 + r)·s) — right eye, left eye (of the person, i.e. left/right
//     as seen in the image), nose tip, mouth corners: the landmarks5 order, returned as the model's own points.
// Outputs are looked up by these names (OpenCV does the same); the 2021/2022 Zoo files (loc/conf/iou outputs with
// prior boxes) are a different format and are refused with the names found.
import type * as ort from 'onnxruntime-node';
import type { Point } from '../../schemas/records.ts';
import type { DetectorFactory } from './detector.ts';
import { createLetterboxDetector, type Candidate, type Canvas } from './scrfd.ts';

export const YUNET_STRIDES = [8, 16, 32] as const;

interface YunetLevel {
  readonly stride: number;
  readonly cols: number;
  readonly cls: Float32Array;
  readonly obj: Float32Array;
  readonly bbox: Float32Array;
  readonly kps: Float32Array;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function yunetLevels(outputs: Readonly<Record<string, ort.Tensor | undefined>>, names: readonly string[], canvas: Canvas): YunetLevel[] {
  return YUNET_STRIDES.map((s) => {
    const cols = canvas.width / s;
    const n = cols * (canvas.height / s);
    const get = (kind: string, per: number): Float32Array => {
      const name = `${kind}_${s}`;
      const t = outputs[name];
      if (!t) throw new Error(`YuNet output ${name} missing (outputs: ${names.join(', ')}); only the 2023mar format (cls/obj/bbox/kps per stride) is supported`);
      const data = t.data as Float32Array;
      if (data.length !== n * per) {
        throw new Error(`YuNet output ${name} has shape [${t.dims.join(', ')}], expected ${n}×${per} values for a ${canvas.width}×${canvas.height} input`);
      }
      return data;
    };
    return { stride: s, cols, cls: get('cls', 1), obj: get('obj', 1), bbox: get('bbox', 4), kps: get('kps', 10) };
  });
}

export function decodeYunet(levels: readonly YunetLevel[], minScore: number): Candidate[] {
  const out: Candidate[] = [];
  for (const { stride: s, cols, cls, obj, bbox, kps } of levels) {
    for (let i = 0; i < cls.length; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (!(score >= minScore)) continue;
      const c = i % cols;
      const r = Math.floor(i / cols);
      const cx = (c + bbox[i * 4]!) * s;
      const cy = (r + bbox[i * 4 + 1]!) * s;
      const w = Math.exp(bbox[i * 4 + 2]!) * s;
      const h = Math.exp(bbox[i * 4 + 3]!) * s;
      const landmarks5: Point[] = [];
      for (let j = 0; j < 5; j++) landmarks5.push([(kps[i * 10 + 2 * j]! + c) * s, (kps[i * 10 + 2 * j + 1]! + r) * s]);
      out.push({ box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, score, landmarks5 });
    }
  }
  return out;
}

export const yunet: DetectorFactory = {
  kind: 'yunet',
  create: (entry, modelFile, sessionOpts) =>
    createLetterboxDetector(
      {
        kind: 'yunet',
        // FaceDetectorYN / the Zoo demo defaults: score 0.9, nms 0.3, top_k 5000
        defaultScore: 0.9,
        defaultNms: 0.3,
        makeDecode: (session, canvas) => (out, minScore) => decodeYunet(yunetLevels(out as Record<string, ort.Tensor>, session.outputNames, canvas), minScore),
      },
      entry,
      modelFile,
      sessionOpts,
    ),
};
