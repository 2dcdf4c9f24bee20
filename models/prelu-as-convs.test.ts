import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { findModel, loadManifest, modelPath, type ModelRole } from './manifest.ts';
import { withPReluAsConvs } from './prelu-as-convs.ts';

const opsOf = (bytes: Uint8Array) => (onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? []).map((n) => n.opType);

/** Pseudo-random input in [-1, 1), the same in every run. */
function input(dims: readonly number[]): Float32Array {
  let s = 11;
  return new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

describe('per-channel PRelu as convolutions', () => {
  it.each([
    ['embedder', [2, 3, 112, 112]],
    ['liveness', [1, 3, 128, 128]],
  ] as [ModelRole, number[]][])('the %s answers as the published graph, with no PRelu left', async (role, dims) => {
    const published = readFileSync(modelPath(findModel(loadManifest(), role)!));
    const rewritten = withPReluAsConvs(published);
    expect(opsOf(published)).toContain('PRelu');
    expect(opsOf(rewritten)).not.toContain('PRelu');
    const [a, b] = await Promise.all([ort.InferenceSession.create(published), ort.InferenceSession.create(rewritten)]);
    const feed = { [a.inputNames[0]!]: new ort.Tensor('float32', input(dims), dims) };
    const [ra, rb] = await Promise.all([a.run(feed), b.run(feed)]);
    for (const name of a.outputNames) {
      const x = ra[name]!.data as Float32Array;
      const y = rb[name]!.data as Float32Array;
      expect(y.length).toBe(x.length);
      const scale = Math.max(...x.map(Math.abs));
      // float32 rounding of a different sum, relative to the output's own size
      expect(x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0) / scale).toBeLessThan(1e-5);
    }
    await Promise.all([a.release(), b.release()]);
  });

  it('leaves a model without PRelu as it is', () => {
    const detector = readFileSync(modelPath(findModel(loadManifest(), 'detector')!));
    expect(withPReluAsConvs(detector)).toBe(detector);
  });
});
