// A gallery of int8 codes ranked against uint8 queries, and the best rows re-scored in float32, in one onnxruntime
// graph: MatMulInteger (MLAS; u8 × s8 is the form its VNNI kernels take), TopK, then Gather of those rows' float32
// vectors and MatMul with the float32 queries.
//
// The codes are a constant of the model, packed once when the session is made: a million 64-byte codes scan in
// ~3.4 ms on one core here, where passing them as an input re-packs them on every call (+2–3 ms) and a JS loop takes
// ~60 ms. The scan costs ~3.3 ns a code on one thread whether codes are 32 or 64 bytes (128: twice that), so 64 it is.
// The float32 vectors are an input, read in place (no copy) on every call: the gather reads a row in ~0.6 µs where
// a JS dot product right after the scan took ~2 µs (the scan evicts the TLB entries of the 2 GiB of vectors).
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { cpuSessionOptions } from '../../models/session.ts';
import { encodeGraph, tensorInfo } from './onnx-graph.ts';

const { onnx } = onnxProto;
const { INT8, UINT8, INT32, INT64, FLOAT } = onnx.TensorProto.DataType;
const INT = onnx.AttributeProto.AttributeType.INT;
/** queries are stored as value + 128: a query coordinate of −127…127 */
export const QUERY_ZERO_POINT = 128;

export interface ScanResult {
  /** m × k row numbers, each query's best on the codes first */
  readonly rows: Int32Array;
  /** m × k float32 scores of those rows: vectors row · the query */
  readonly scores: Float32Array;
}

export interface Int8Scan {
  /** gallery rows (codes) the model holds */
  readonly rows: number;
  /**
   * The `k` best rows of each of `m` queries on the codes (`codes`: m × dims bytes), re-scored against
   * `queries` (m × dim floats) with `vectors` (at least `rows` rows of dim floats; row r = code r's face now).
   */
  top(codes: Uint8Array, queries: Float32Array, m: number, k: number, vectors: Float32Array): Promise<ScanResult>;
  close(): Promise<void>;
}

/** `codes`: dims × rows int8, row r's code in column r (the MatMulInteger B operand as it is laid out). */
export async function createInt8Scan(codes: Int8Array, dims: number, rows: number, dim: number, threads: number): Promise<Int8Scan> {
  const model = encodeGraph({
    name: 'int8_scan',
    node: [
      { opType: 'MatMulInteger', input: ['codes_q', 'codes', 'zero_point'], output: ['coarse'] },
      { opType: 'TopK', input: ['coarse', 'k'], output: ['coarse_best', 'best'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
      // [m, k, dim] · [m, dim, 1] → [m, k, 1]
      { opType: 'Gather', input: ['vectors', 'best'], output: ['candidates'], attribute: [{ name: 'axis', type: INT, i: 0 }] },
      { opType: 'Unsqueeze', input: ['queries', 'last'], output: ['queries_col'] },
      { opType: 'MatMul', input: ['candidates', 'queries_col'], output: ['fine'] },
      { opType: 'Squeeze', input: ['fine', 'last'], output: ['scores'] },
      // int32 row numbers: JS reads int64 ones as a BigInt each
      { opType: 'Cast', input: ['best'], output: ['rows'], attribute: [{ name: 'to', type: INT, i: INT32 }] },
    ],
    initializer: [
      { name: 'codes', dims: [dims, rows], dataType: INT8, rawData: new Uint8Array(codes.buffer, codes.byteOffset, dims * rows) },
      { name: 'zero_point', dims: [], dataType: UINT8, rawData: new Uint8Array([QUERY_ZERO_POINT]) },
      { name: 'last', dims: [1], dataType: INT64, int64Data: [-1] },
    ],
    input: [tensorInfo('codes_q', UINT8, ['m', dims]), tensorInfo('queries', FLOAT, ['m', dim]), tensorInfo('k', INT64, [1]), tensorInfo('vectors', FLOAT, ['n', dim])],
    output: [tensorInfo('rows', INT32, ['m', 'k']), tensorInfo('scores', FLOAT, ['m', 'k'])],
  });
  // its threads sleep between scans (no spinning), so a scan between events takes no core from the other stages
  const session = await ort.InferenceSession.create(model, cpuSessionOptions(threads));
  return {
    rows,
    async top(codesQ, queries, m, k, vectors) {
      if (vectors.length < rows * dim) throw new RangeError(`${vectors.length / dim} vectors for ${rows} codes`);
      const out = await session.run({
        codes_q: new ort.Tensor('uint8', codesQ, [m, dims]),
        queries: new ort.Tensor('float32', queries, [m, dim]),
        k: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]),
        vectors: new ort.Tensor('float32', vectors, [vectors.length / dim, dim]),
      });
      return { rows: out['rows']!.data as Int32Array, scores: out['scores']!.data as Float32Array };
    },
    close: () => session.release(),
  };
}
