// Many similarity queries against one gallery in a single onnxruntime Gemm (MLAS, vectorised): ~2 µs a query
// against 60 faces and ~130 µs against 10,000 in batches of 32, where a JS loop takes ~26 µs and ~9 ms
// (bench: measured on the 2-core CI machine). The model is made in memory: one Gemm node, the gallery its
// constant B (rows × dim, transposed by the op), the queries a batch of any size.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export interface GemmScores {
  /** scores[i × rows + r] = queries row i · gallery row r, for `n` queries of `dim` floats back to back */
  scores(queries: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

function gemmModel(gallery: Float32Array, rows: number, dim: number): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'facestream',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'gallery_scores',
      node: [{ opType: 'Gemm', input: ['queries', 'gallery'], output: ['scores'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }],
      initializer: [{ name: 'gallery', dims: [rows, dim], dataType: FLOAT, rawData: new Uint8Array(gallery.buffer, gallery.byteOffset, gallery.byteLength) }],
      input: [{ name: 'queries', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'n' }, { dimValue: dim }] } } } }],
      output: [{ name: 'scores', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'n' }, { dimValue: rows }] } } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** `gallery`: `rows` vectors of `dim` floats back to back (copied into the session). */
export async function createGemmScores(gallery: Float32Array, rows: number, dim: number): Promise<GemmScores> {
  const session = await ort.InferenceSession.create(gemmModel(gallery, rows, dim), {
    executionProviders: ['cpu'],
    // one thread: a stage process has a core at most, and a batch of queries is a few µs of work each
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  return {
    async scores(queries, n) {
      const out = await session.run({ queries: new ort.Tensor('float32', queries, [n, dim]) });
      return out['scores']!.data as Float32Array;
    },
    close: () => session.release(),
  };
}
