// The Ultra-Light graph made to take any input size: its height and width become symbolic, and the box decoding at
// its end — priors for 320×240 baked in as constants — is cut off, the graph answering with the raw regression
// (`locations`, [N, P, 4]) beside `scores`; ultralight-priors.ts decodes for the size actually fed. The
// convolutions and the heads' reshapes (batch × -1 × k) already work at any size. Done in memory when the
// session opens, like byte-input.ts, so the prepared file stays the published graph.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Graph = InstanceType<typeof onnx.GraphProto>;
type Node = InstanceType<typeof onnx.NodeProto>;
type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

export const LOCATIONS_OUTPUT = 'locations';
const SCORES_OUTPUT = 'scores';
const BOXES_OUTPUT = 'boxes';

/** The tensor the decoding starts from: the Concat of the heads' reshaped regressions, nearest to `boxes`. */
function regressionConcat(nodes: readonly Node[]): string {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const queue = [BOXES_OUTPUT];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const tensor = queue.shift()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    const node = producer.get(tensor);
    if (!node) continue;
    if (node.opType === 'Concat' && node.input.length > 1 && node.input.every((i) => producer.get(i)?.opType === 'Reshape')) return tensor;
    queue.push(...node.input);
  }
  throw new Error(`Ultra-Light graph: no concatenation of reshaped regressions before '${BOXES_OUTPUT}'`);
}

/** Nodes needed to compute `outputs`, in graph order. */
function ancestorsOf(nodes: readonly Node[], outputs: readonly string[]): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const keep = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = producer.get(stack.pop()!);
    if (!node || keep.has(node)) continue;
    keep.add(node);
    stack.push(...node.input);
  }
  return nodes.filter((n) => keep.has(n));
}

/** The model bytes taking [N, 3, H, W] at any H, W and answering `scores` and LOCATIONS_OUTPUT. */
export function withRawLocations(modelBytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph as Graph | null | undefined;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node as Node[];
  const regression = regressionConcat(nodes);
  const identity = onnx.NodeProto.create({ name: LOCATIONS_OUTPUT, opType: 'Identity', input: [regression], output: [LOCATIONS_OUTPUT] });
  graph.node = [...ancestorsOf(nodes, [SCORES_OUTPUT, regression]), identity];
  const used = new Set(graph.node.flatMap((n) => n.input as string[]));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name ?? ''));

  const initialisers = new Set(graph.initializer.map((t) => t.name));
  const input = ((graph.input ?? []) as ValueInfo[]).find((i) => !initialisers.has(i.name));
  const dims = input?.type?.tensorType?.shape?.dim;
  if (!dims || dims.length !== 4) throw new Error('Ultra-Light graph: expected one [N, 3, H, W] input');
  dims[2] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'H' });
  dims[3] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'W' });
  // outputs without a shape: the anchor count follows the input size
  const output = (name: string) =>
    onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) }) });
  graph.output = [output(SCORES_OUTPUT), output(LOCATIONS_OUTPUT)];
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}
