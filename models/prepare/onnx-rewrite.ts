// Install-time rewrites of ONNX graphs. Both keep outputs identical; see docs/MODELS.md.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
export type OnnxModel = InstanceType<typeof onnx.ModelProto>;
type Tensor = InstanceType<typeof onnx.TensorProto>;
type Graph = InstanceType<typeof onnx.GraphProto>;
type Node = InstanceType<typeof onnx.NodeProto>;
type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

/** protobufjs fills repeated fields on decode; the generated interfaces still mark them optional. */
function graphOf(model: OnnxModel): Graph {
  if (!model.graph) throw new Error('ONNX model has no graph');
  return model.graph as Graph;
}
function nodesOf(graph: Graph): Node[] {
  return graph.node as Node[];
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const SMALLEST_NORMAL_F32 = 1.1754943508222875e-38;

export function decodeModel(bytes: Uint8Array): OnnxModel {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: OnnxModel): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A little-endian copy of a tensor's raw bytes, aligned for typed-array views. */
function rawCopy(t: Tensor): ArrayBuffer {
  return new Uint8Array(t.rawData).buffer;
}

function isSubnormal(v: number): boolean {
  return v !== 0 && Math.abs(v) < SMALLEST_NORMAL_F32;
}

function flushTensor(t: Tensor): number {
  if (t.dataType !== FLOAT) return 0;
  let flushed = 0;
  if (t.rawData && t.rawData.length > 0) {
    const values = new Float32Array(rawCopy(t));
    for (let i = 0; i < values.length; i++) {
      if (isSubnormal(values[i]!)) {
        values[i] = 0;
        flushed++;
      }
    }
    if (flushed > 0) t.rawData = new Uint8Array(values.buffer);
  } else if (t.floatData) {
    for (let i = 0; i < t.floatData.length; i++) {
      if (isSubnormal(t.floatData[i]!)) {
        t.floatData[i] = 0;
        flushed++;
      }
    }
  }
  return flushed;
}

/** Every constant float tensor of the graph: initializers and Constant-node values. */
function constantTensors(model: OnnxModel): Tensor[] {
  const graph = graphOf(model);
  const fromNodes = nodesOf(graph).flatMap((n) =>
    n.opType === 'Constant' ? n.attribute.filter((a) => a.t).map((a) => a.t as Tensor) : [],
  );
  return [...(graph.initializer as Tensor[]), ...fromNodes];
}

/**
 * Zeroes subnormal float weights. CPUs handle subnormals in microcode, which made fr_feature 4× slower;
 * a subnormal weight contributes nothing measurable, so outputs stay bit-identical in practice.
 */
export function flushSubnormals(model: OnnxModel): number {
  return constantTensors(model).reduce((sum, t) => sum + flushTensor(t), 0);
}

function int64Values(t: Tensor): bigint[] {
  if (t.rawData && t.rawData.length > 0) return Array.from(new BigInt64Array(rawCopy(t)));
  return (t.int64Data ?? []).map((v) => BigInt(v.toString()));
}

function setInt64Values(t: Tensor, values: bigint[]): void {
  t.rawData = new Uint8Array(BigInt64Array.from(values).buffer);
  t.int64Data = [];
}

/**
 * Makes axis 0 symbolic so one session call can run a batch. Graph inputs/outputs get a named batch
 * dimension, stale intermediate shapes are dropped, and constant Reshape targets that pinned the batch
 * to 1 are rewritten to 0 ("copy this dimension from the input", opset < 14 semantics).
 */
export function makeBatchDynamic(model: OnnxModel, batchName = 'N'): { reshapesRewritten: number } {
  const graph = graphOf(model);
  const initializers = graph.initializer as Tensor[];
  const initializerNames = new Set(initializers.map((t) => t.name));
  const inputs = (graph.input as ValueInfo[]).filter((i) => !initializerNames.has(i.name));
  for (const v of [...inputs, ...(graph.output as ValueInfo[])]) {
    const dims = v.type?.tensorType?.shape?.dim;
    if (dims && dims.length > 0) dims[0] = onnx.TensorShapeProto.Dimension.create({ dimParam: batchName });
  }
  graph.valueInfo = [];

  const constants = new Map<string, Tensor>();
  for (const t of initializers) constants.set(t.name, t);
  for (const n of nodesOf(graph)) {
    if (n.opType === 'Constant' && n.attribute[0]?.t) constants.set(n.output[0]!, n.attribute[0].t as Tensor);
  }
  const rewritten = new Set<Tensor>();
  for (const n of nodesOf(graph)) {
    if (n.opType !== 'Reshape') continue;
    const shape = constants.get(n.input[1]!);
    if (!shape || shape.dataType !== INT64 || rewritten.has(shape)) continue;
    const values = int64Values(shape);
    if (values[0] === 1n) {
      values[0] = 0n;
      setInt64Values(shape, values);
      rewritten.add(shape);
    }
  }
  return { reshapesRewritten: rewritten.size };
}
