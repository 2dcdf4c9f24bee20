import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { findModel, loadManifest, modelPath } from '../manifest.ts';
import { LOCATIONS_OUTPUT, LOGITS_OUTPUT, withRawHeads } from './ultralight-heads.ts';
import { decodeBox, faceScore, ultralightPriors } from './ultralight-priors.ts';

const entry = findModel(loadManifest(), 'detector')!;
const published = readFileSync(modelPath(entry));

/** Pseudo-random pixels in the network's float range, the same in every run. */
function input(height: number, width: number): ort.Tensor {
  let s = 7;
  const data = new Float32Array(3 * height * width).map(() => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
  return new ort.Tensor('float32', data, [1, 3, height, width]);
}

describe('Ultra-Light with its decoding done in TypeScript', () => {
  it('gives the scores and boxes of the published graph for every anchor', async () => {
    const [whole, cut] = await Promise.all([ort.InferenceSession.create(published), ort.InferenceSession.create(withRawHeads(published))]);
    const x = input(240, 320);
    const [a, b] = await Promise.all([whole.run({ [whole.inputNames[0]!]: x }), cut.run({ [cut.inputNames[0]!]: x })]);
    expect(cut.outputNames).toEqual([LOGITS_OUTPUT, LOCATIONS_OUTPUT]);
    const scores = a['scores']!.data as Float32Array;
    const boxes = a['boxes']!.data as Float32Array;
    const logits = b[LOGITS_OUTPUT]!.data as Float32Array;
    const locations = b[LOCATIONS_OUTPUT]!.data as Float32Array;
    const priors = ultralightPriors(320, 240);
    expect(priors.length / 4).toBe(4420);
    expect(logits.length).toBe(4420 * 2);
    const box = new Float64Array(4);
    let worstScore = 0;
    let worstBox = 0;
    for (let p = 0; p < 4420; p++) {
      worstScore = Math.max(worstScore, Math.abs(faceScore(logits, p) - scores[p * 2 + 1]!));
      decodeBox(locations, p, priors, p, box);
      for (let c = 0; c < 4; c++) worstBox = Math.max(worstBox, Math.abs(box[c]! - boxes[p * 4 + c]!));
    }
    // float32 in the graph, float64 here: equal to the last bits (1e-6 of a 1280 px frame is a thousandth of a pixel)
    expect(worstScore).toBeLessThan(1e-6);
    expect(worstBox).toBeLessThan(1e-6);
    await Promise.all([whole.release(), cut.release()]);
  });
});
