// PRelu with a per-channel slope, rewritten into operations onnxruntime's CPU provider runs in its blocked (NCHWc)
// layout. Its PRelu kernel is a generic broadcast and has no NCHWc form, so before and after every PRelu the tensor
// is reordered out of the layout the convolutions use and back: in MobileFaceNet (the bundled embedder, 33 PRelus)
// PRelu and those reorders were ~60 % of a 112×112 face's time (onnxruntime profile, one thread). Done in memory when
// a session opens, so the prepared file stays the published graph.
//
//   PRelu(x) = s·x + (1 − s)·Relu(x)        (x > 0: s·x + x − s·x = x;  x ≤ 0: s·x)
//
// with the two products as 1×1 depthwise convolutions (weights s and 1 − s per channel) and the sum as their Add,
// which onnxruntime folds into the second convolution. Exact in real arithmetic; in float32 the outputs differ in the
// last bits (prelu-as-convs.test.ts).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Graph = InstanceType<typeof onnx.GraphProto>;
type Node = InstanceType<typeof onnx.NodeProto>;
type Tensor = onnxProto.onnx.ITensorProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** The float values of an initialiser, or undefined if it is not plain float32. */
function floatsOf(t: Tensor): Float32Array | undefined {
  if (t.dataType !== FLOAT) return undefined;
  if (t.floatData && t.floatData.length > 0) return Float32Array.from(t.floatData);
  const raw = t.rawData;
  if (!raw || raw.length % 4 !== 0) return undefined;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/**
 * A per-channel slope of an NCHW tensor: [C, 1, 1], as PyTorch exports nn.PReLU(C) after a 2-D convolution. A slope
 * of another shape ([C] broadcasts over the last axis, not the channels; a PRelu after a linear layer has no
 * spatial axes for a convolution) is left to onnxruntime's PRelu.
 */
function channelSlope(t: Tensor | undefined): Float32Array | undefined {
  if (!t) return undefined;
  const dims = (t.dims ?? []).map(Number);
  const channels = dims[0] ?? 0;
  if (dims.length !== 3 || channels < 1 || dims[1] !== 1 || dims[2] !== 1) return undefined;
  const v = floatsOf(t);
  return v && v.length === channels ? v : undefined;
}

/** The model bytes with every per-channel PRelu replaced as above; other PRelus (and models without any) kept. */
export function withPReluAsConvs(modelBytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph as Graph | null | undefined;
  if (!graph) throw new Error('ONNX model has no graph');
  const initialisers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const added: Tensor[] = [];
  let rewritten = 0;
  const nodes: Node[] = [];
  for (const node of graph.node as Node[]) {
    const slope = node.opType === 'PRelu' ? channelSlope(initialisers.get(node.input[1] ?? '')) : undefined;
    if (!slope) {
      nodes.push(node);
      continue;
    }
    const x = node.input[0]!;
    const y = node.output[0]!;
    const base = `facestream_prelu${rewritten++}`;
    const weights = (name: string, values: Float32Array) => {
      added.push(onnx.TensorProto.create({ name, dataType: FLOAT, dims: [values.length, 1, 1, 1], rawData: new Uint8Array(values.buffer) }));
      return name;
    };
    const depthwise = (name: string, input: string, w: string) =>
      onnx.NodeProto.create({
        name,
        opType: 'Conv',
        input: [input, w],
        output: [name],
        attribute: [
          onnx.AttributeProto.create({ name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: slope.length }),
          onnx.AttributeProto.create({ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] }),
        ],
      });
    const ws = weights(`${base}_s`, Float32Array.from(slope));
    const wr = weights(`${base}_1s`, slope.map((s) => 1 - s));
    nodes.push(
      onnx.NodeProto.create({ name: `${base}_relu`, opType: 'Relu', input: [x], output: [`${base}_relu`] }),
      depthwise(`${base}_pos`, `${base}_relu`, wr),
      depthwise(`${base}_lin`, x, ws),
      onnx.NodeProto.create({ name: `${base}_sum`, opType: 'Add', input: [`${base}_lin`, `${base}_pos`], output: [y] }),
    );
  }
  if (rewritten === 0) return modelBytes;
  graph.node = nodes;
  // slopes no longer used by any node are dropped (a graph may list them as inputs too, as older exports do)
  const used = new Set(nodes.flatMap((n) => n.input as string[]));
  graph.initializer = [...(graph.initializer ?? []).filter((t) => used.has(t.name ?? '')), ...added];
  graph.input = (graph.input ?? []).filter((i) => !initialisers.has(i.name ?? '') || used.has(i.name ?? ''));
  return onnx.ModelProto.encode(model).finish();
}
