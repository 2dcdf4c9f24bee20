// A gallery of int8 codes ranked against uint8 queries in one onnxruntime graph: MatMulInteger (MLAS; u8 × s8 is the
// form its VNNI kernels take) and TopK. The codes are a constant of the model, packed once when the session is
// made: a million 64-byte codes scan in ~3.5 ms on one core here, where passing them as an input re-packs them on
// every call (+2–3 ms) and a JS loop takes ~60 ms. The scan costs ~3.3 ns a code on one thread whether codes are 32 or 64
// bytes (128: twice that), so 64 it is (docs/BENCHMARKS.md, "Matcher at scale").
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const { INT8, UINT8, INT32, INT64 } = onnx.TensorProto.DataType;
/** queries are stored as value + 128: a query coordinate of −127…127 */
export const QUERY_ZERO_POINT = 128;

export interface Int8Scan {
  /** gallery rows (codes) the model holds */
  readonly rows: number;
  /** the `k` best rows of each of `m` queries (m × dims bytes), best first: m × k row numbers */
  top(queries: Uint8Array, m: number, k: number): Promise<BigInt64Array>;
  close(): Promise<void>;
}

/** `codes`: dims × rows int8, row r's code in column r (the MatMulInteger B operand as it is laid out). */
export async function createInt8Scan(codes: Int8Array, dims: number, rows: number, threads: number): Promise<Int8Scan> {
  const tensor = (name: string, elemType: number, dim: ({ dimValue: number } | { dimParam: string })[]) => ({ name, type: { tensorType: { elemType, shape: { dim } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'facestream',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'int8_scan',
      node: [
        { opType: 'MatMulInteger', input: ['queries', 'codes', 'zero_point'], output: ['scores'] },
        { opType: 'TopK', input: ['scores', 'k'], output: ['best', 'rows'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      ],
      initializer: [
        { name: 'codes', dims: [dims, rows], dataType: INT8, rawData: new Uint8Array(codes.buffer, codes.byteOffset, dims * rows) },
        { name: 'zero_point', dims: [], dataType: UINT8, rawData: new Uint8Array([QUERY_ZERO_POINT]) },
      ],
      input: [tensor('queries', UINT8, [{ dimParam: 'm' }, { dimValue: dims }]), tensor('k', INT64, [{ dimValue: 1 }])],
      output: [tensor('best', INT32, [{ dimParam: 'm' }, { dimParam: 'k' }]), tensor('rows', INT64, [{ dimParam: 'm' }, { dimParam: 'k' }])],
    },
  });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // a waiting thread sleeps instead of spinning, so a scan between events takes no core from the other stages
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  return {
    rows,
    async top(queries, m, k) {
      const out = await session.run({ queries: new ort.Tensor('uint8', queries, [m, dims]), k: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]) });
      return out['rows']!.data as BigInt64Array;
    },
    close: () => session.release(),
  };
}
