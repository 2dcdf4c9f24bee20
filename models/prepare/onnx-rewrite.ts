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

/** Sets the float values of `t` that `zero` picks to 0; returns how many. */
function zeroWhere(t: Tensor, zero: (v: number) => boolean): number {
  if (t.dataType !== FLOAT) return 0;
  let zeroed = 0;
  if (t.rawData && t.rawData.length > 0) {
    const values = new Float32Array(rawCopy(t));
    for (let i = 0; i < values.length; i++) {
      if (zero(values[i]!)) {
        values[i] = 0;
        zeroed++;
      }
    }
    if (zeroed > 0) t.rawData = new Uint8Array(values.buffer);
  } else if (t.floatData) {
    for (let i = 0; i < t.floatData.length; i++) {
      if (zero(t.floatData[i]!)) {
        t.floatData[i] = 0;
        zeroed++;
      }
    }
  }
  return zeroed;
}

/** Every constant tensor of the graph by the name nodes read it under: initializers and Constant-node values. */
function constantTensors(model: OnnxModel): Map<string, Tensor> {
  const graph = graphOf(model);
  const constants = new Map<string, Tensor>();
  for (const t of graph.initializer as Tensor[]) constants.set(t.name, t);
  for (const n of nodesOf(graph)) {
    const value = n.opType === 'Constant' ? n.attribute.find((a) => a.t)?.t : undefined;
    if (value && n.output[0]) constants.set(n.output[0], value as Tensor);
  }
  return constants;
}

/**
 * Zeroes subnormal float weights. CPUs handle subnormals in microcode, which made fr_feature 4× slower;
 * a subnormal weight contributes nothing measurable, so outputs stay bit-identical in practice.
 */
export function flushSubnormals(model: OnnxModel): number {
  return [...constantTensors(model).values()].reduce((sum, t) => sum + zeroWhere(t, isSubnormal), 0);
}

/** The inputs of an operator that hold a layer's weights, multiplied with activations. */
const WEIGHT_INPUTS: Readonly<Record<string, readonly number[]>> = { Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], MatMul: [1], PRelu: [1] };

/** Weights smaller than this in magnitude are zeroed by zeroNegligibleWeights. */
export const NEGLIGIBLE_WEIGHT = 1e-12;

/**
 * Zeroes layer weights below NEGLIGIBLE_WEIGHT in magnitude (Conv/Gemm/MatMul weights and biases, PRelu slopes).
 * Training left whole channels of fr_feature near zero (186,777 of its 1.2M weights below 1e-12, most below
 * 1e-20): normal floats, so flushSubnormals keeps them, but their products with activations, and those products
 * carried through the next layers, are subnormal, and each such multiply-add goes through the CPU's microcode.
 * Zeroing them took the embedder from 14.0 to 4.4 ms a face on one thread; its vectors on the 64 deepface photos
 * stayed the same to float rounding (cosine ≥ 0.99999998), every attribute head's outputs too (docs/MODELS.md).
 * A weight of 1e-12 times any activation these networks produce (< 1e4) is < 1e-8, below float32's resolution of
 * the sums it joins. A constant that any node reads as something other than a weight (an epsilon, a divisor) is
 * left alone.
 */
export function zeroNegligibleWeights(model: OnnxModel): number {
  const asWeight = new Set<string>();
  const otherwise = new Set<string>();
  for (const n of nodesOf(graphOf(model))) {
    const weights = WEIGHT_INPUTS[n.opType ?? ''] ?? [];
    n.input.forEach((name, i) => (weights.includes(i) ? asWeight : otherwise).add(name));
  }
  let zeroed = 0;
  for (const [name, t] of constantTensors(model)) {
    if (asWeight.has(name) && !otherwise.has(name)) zeroed += zeroWhere(t, (v) => v !== 0 && Math.abs(v) < NEGLIGIBLE_WEIGHT);
  }
  return zeroed;
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

  const constants = constantTensors(model);
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
