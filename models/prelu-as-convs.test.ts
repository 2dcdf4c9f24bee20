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

  it('leaves a PRelu whose slope is not [C, 1, 1] to onnxruntime', async () => {
    const { onnx } = onnxProto;
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const dims = [1, 2, 3, 3];
    const tensorType = (shape: number[]) =>
      onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: FLOAT, shape: onnx.TensorShapeProto.create({ dim: shape.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }) }) });
    // a slope of [3] broadcasts over the last axis (width), not over the 2 channels
    const model = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 7,
        opsetImport: [{ domain: '', version: 13 }],
        graph: onnx.GraphProto.create({
          name: 'prelu-over-width',
          node: [onnx.NodeProto.create({ opType: 'PRelu', input: ['x', 'slope'], output: ['y'] })],
          initializer: [onnx.TensorProto.create({ name: 'slope', dataType: FLOAT, dims: [3], floatData: [0.1, 0.2, 0.3] })],
          input: [onnx.ValueInfoProto.create({ name: 'x', type: tensorType(dims) })],
          output: [onnx.ValueInfoProto.create({ name: 'y', type: tensorType(dims) })],
        }),
      }),
    ).finish();
    expect(withPReluAsConvs(model)).toBe(model);
    const session = await ort.InferenceSession.create(model);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(18).fill(-1), dims) });
    expect(Array.from((out['y']!.data as Float32Array).slice(0, 3)).map((v) => Math.round(v * 10) / 10)).toEqual([-0.1, -0.2, -0.3]);
    await session.release();
  });

  it('leaves a model without PRelu as it is', () => {
    const detector = readFileSync(modelPath(findModel(loadManifest(), 'detector')!));
    expect(withPReluAsConvs(detector)).toBe(detector);
  });
});
