// Many similarity queries against one gallery in a single onnxruntime Gemm (MLAS, vectorised): ~2 µs a query
// against 60 faces and ~130 µs against 10,000 in batches of 32, where a JS loop takes ~26 µs and ~9 ms
// (measured on the 2-core CI machine). The model is made in memory: one Gemm node, the gallery its constant B
// (rows × dim, transposed by the op) or a second input, the queries a batch of any size.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { cpuSessionOptions } from '../../models/session.ts';
import { encodeGraph, tensorInfo } from './onnx-graph.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export interface GemmScores {
  /** scores[i × rows + r] = queries row i · gallery row r, for `n` queries of `dim` floats back to back */
  scores(queries: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** One Gemm node: scores = queries × galleryᵀ; the gallery is a constant of the model, or a second input. */
function gemmModel(dim: number, gallery?: { readonly vectors: Float32Array; readonly rows: number }): Uint8Array {
  return encodeGraph({
    name: 'gallery_scores',
    node: [{ opType: 'Gemm', input: ['queries', 'gallery'], output: ['scores'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }],
    initializer: gallery
      ? [{ name: 'gallery', dims: [gallery.rows, dim], dataType: FLOAT, rawData: new Uint8Array(gallery.vectors.buffer, gallery.vectors.byteOffset, gallery.vectors.byteLength) }]
      : [],
    input: [tensorInfo('queries', FLOAT, ['n', dim]), ...(gallery ? [] : [tensorInfo('gallery', FLOAT, ['m', dim])])],
    output: [tensorInfo('scores', FLOAT, ['n', gallery ? gallery.rows : 'm'])],
  });
}

function openSession(model: Uint8Array): Promise<ort.InferenceSession> {
  // one thread: a stage process has a core at most, and a batch of queries is a few µs of work each
  return ort.InferenceSession.create(model, cpuSessionOptions(1));
}

/** `gallery`: `rows` vectors of `dim` floats back to back (copied into the session once). */
export async function createGemmScores(gallery: Float32Array, rows: number, dim: number): Promise<GemmScores> {
  const session = await openSession(gemmModel(dim, { vectors: gallery, rows }));
  return {
    async scores(queries, n) {
      const out = await session.run({ queries: new ort.Tensor('float32', queries, [n, dim]) });
      return out['scores']!.data as Float32Array;
    },
    close: () => session.release(),
  };
}

/** Scores of queries against a gallery given with each call (one that changes every time, as recent events do). */
export interface PairScores {
  /** scores[i × m + r] = queries row i · gallery row r (n queries, m gallery rows, `dim` floats each) */
  scores(queries: Float32Array, n: number, gallery: Float32Array, m: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export async function createPairScores(dim: number): Promise<PairScores> {
  const session = await openSession(gemmModel(dim));
  return {
    async scores(queries, n, gallery, m) {
      const out = await session.run({ queries: new ort.Tensor('float32', queries, [n, dim]), gallery: new ort.Tensor('float32', gallery, [m, dim]) });
      return out['scores']!.data as Float32Array;
    },
    close: () => session.release(),
  };
}
