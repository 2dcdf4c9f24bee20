import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { findModel, loadManifest, modelPath } from '../manifest.ts';
import { withRawLocations, LOCATIONS_OUTPUT } from './ultralight-graph.ts';
import { decodeBox, ultralightPriors } from './ultralight-priors.ts';

const entry = findModel(loadManifest(), 'detector')!;
const published = readFileSync(modelPath(entry));

/** Pseudo-random pixels in the network's float range, the same in every run. */
function input(height: number, width: number): ort.Tensor {
  let s = 7;
  const data = new Float32Array(3 * height * width).map(() => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
  return new ort.Tensor('float32', data, [1, 3, height, width]);
}

describe('Ultra-Light at any input size', () => {
  it('decodes at 320×240 to the boxes and scores of the published graph', async () => {
    const [whole, cut] = await Promise.all([ort.InferenceSession.create(published), ort.InferenceSession.create(withRawLocations(published))]);
    const x = input(240, 320);
    const [a, b] = await Promise.all([whole.run({ [whole.inputNames[0]!]: x }), cut.run({ [cut.inputNames[0]!]: x })]);
    const boxes = a['boxes']!.data as Float32Array;
    const locations = b[LOCATIONS_OUTPUT]!.data as Float32Array;
    // the same network; with symbolic sizes onnxruntime may pick other kernels, so floats differ in the last bits
    const [sa, sb] = [a['scores']!.data as Float32Array, b['scores']!.data as Float32Array];
    expect(sb.length).toBe(sa.length);
    expect(sa.reduce((m, v, i) => Math.max(m, Math.abs(v - sb[i]!)), 0)).toBeLessThan(1e-5);
    const priors = ultralightPriors(320, 240);
    expect(priors.length / 4).toBe(4420);
    const box = new Float64Array(4);
    let worst = 0;
    for (let p = 0; p < 4420; p++) {
      decodeBox(locations, p, priors, p, box);
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(box[c]! - boxes[p * 4 + c]!));
    }
    expect(worst).toBeLessThan(1e-5);
    await Promise.all([whole.release(), cut.release()]);
  });

  it('takes a 16:9 frame at 320×180: one anchor per prior of that size', async () => {
    const cut = await ort.InferenceSession.create(withRawLocations(published));
    const out = await cut.run({ [cut.inputNames[0]!]: input(180, 320) });
    // strides 8, 16, 32, 64 over 320×180: 40×23×3 + 20×12×2 + 10×6×2 + 5×3×3
    expect(ultralightPriors(320, 180).length / 4).toBe(3405);
    expect(out[LOCATIONS_OUTPUT]!.dims).toEqual([1, 3405, 4]);
    expect(out['scores']!.dims).toEqual([1, 3405, 2]);
    await cut.release();
  });
});
