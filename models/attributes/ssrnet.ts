// SSR-Net (Yang et al., IJCAI 2018) soft stagewise regression, shared by the age and gender models: three stages
// of 3 bins each, with per-stage bin-index offsets and a dynamic range (delta_k). Merge as in the paper and the
// package lib with s = 3 bins per stage and λ_local = λ_d = 1; the result is in 0..1, ×V for the target range.
import type * as ort from 'onnxruntime-node';
import type { RgbImage, Box } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { createSession, runBatch, type SessionOptions, releaseOnce } from '../session.ts';
import { scaleBoxInside, squareByMax } from '../image/scale-box.ts';
import { cropBatch, shapeOf } from './crop-batch.ts';
import type { FaceInImage } from '../face-models.types.ts';

const S = 3;
const LAMBDA_LOCAL = 1;
const LAMBDA_D = 1;

export interface SsrOutputs {
  readonly prob: readonly [Float32Array, Float32Array, Float32Array]; // [N, 3] each
  readonly delta: readonly [Float32Array, Float32Array, Float32Array]; // [N, 1] each
  readonly offset: readonly [Float32Array, Float32Array, Float32Array]; // [N, 3] each
}

/** Merged regression value of face `n`, in 0..1 (multiply by V: 101 for age in years, 1 for gender). */
export function ssrMerge(o: SsrOutputs, n: number): number {
  let total = 0;
  let denom = 1;
  for (let k = 0; k < 3; k++) {
    denom *= S * (1 + LAMBDA_D * o.delta[k]![n]!);
    let stage = 0;
    for (let i = 0; i < S; i++) stage += (i + LAMBDA_LOCAL * o.offset[k]![n * S + i]!) * o.prob[k]![n * S + i]!;
    total += stage / denom;
  }
  return total;
}

function read(out: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`SSR-Net output ${name} missing`);
  return t.data as Float32Array;
}

/** The crop both SSR-Net heads use: square box ×scale, shrunk and shifted to stay inside the frame (as trained). */
export function ssrCrop(image: RgbImage, box: Box, scale: number): Box {
  return scaleBoxInside(squareByMax(box), scale, image.width, image.height);
}

/** Opens an SSR-Net model and returns a batch runner giving the merged 0..1 value per face. */
export async function openSsrNet(entry: ModelEntry, modelFile: string, session: SessionOptions) {
  const s = await createSession(modelFile, session);
  const scale = entry.crop?.scale ?? 1.4;
  return {
    async values(faces: readonly FaceInImage[]): Promise<number[]> {
      if (faces.length === 0) return [];
      const data = cropBatch(
        faces.map(({ image, face }) => ({ image, box: ssrCrop(image, face.box, scale) })),
        entry.input,
      );
      const out = await runBatch(s, data, faces.length, shapeOf(entry.input));
      const o: SsrOutputs = {
        prob: [read(out, 'prob_stage_1'), read(out, 'prob_stage_2'), read(out, 'prob_stage_3')],
        delta: [read(out, 'stage1_delta_k'), read(out, 'stage2_delta_k'), read(out, 'stage3_delta_k')],
        offset: [read(out, 'index_offset_stage1'), read(out, 'index_offset_stage2'), read(out, 'index_offset_stage3')],
      };
      return faces.map((_, n) => ssrMerge(o, n));
    },
    close: releaseOnce(s),
  };
}

