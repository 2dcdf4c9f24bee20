// Ultra-Light answering with its heads' raw outputs: the published graph ends in a softmax over every anchor and a
// box decoding (slices, exp, concatenations) that together took ~0.45 ms of a ~3.9 ms run at 320×240 (onnxruntime
// profile, one thread) — work for the ~4,400 anchors of which a frame keeps a handful. Cut off here, in memory when
// the session opens (like byte-input.ts, so the prepared file stays the published graph); the anchors that pass
// the score threshold are decoded in TypeScript (ultralight-priors.ts).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type Graph = InstanceType<typeof onnx.GraphProto>;
type Node = InstanceType<typeof onnx.NodeProto>;

/** [N, P, 2] classification logits (background, face) */
export const LOGITS_OUTPUT = 'facestream_logits';
/** [N, P, 4] box regression, relative to each anchor */
export const LOCATIONS_OUTPUT = 'facestream_locations';

/** The Concat of the heads' reshaped outputs that feeds `from` (the softmax, or the box decoding). */
function headsConcat(nodes: readonly Node[], from: string): string {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const queue = [from];
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
  throw new Error(`Ultra-Light graph: no concatenation of the heads' outputs before '${from}'`);
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

/** The model bytes answering LOGITS_OUTPUT and LOCATIONS_OUTPUT instead of `scores` and `boxes`. */
export function withRawHeads(modelBytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph as Graph | null | undefined;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node as Node[];
  const logits = headsConcat(nodes, 'scores');
  const locations = headsConcat(nodes, 'boxes');
  const identity = (from: string, to: string) => onnx.NodeProto.create({ name: to, opType: 'Identity', input: [from], output: [to] });
  graph.node = [...ancestorsOf(nodes, [logits, locations]), identity(logits, LOGITS_OUTPUT), identity(locations, LOCATIONS_OUTPUT)];
  const used = new Set(graph.node.flatMap((n) => n.input as string[]));
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  // outputs without a shape: onnxruntime infers them
  const output = (name: string) =>
    onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT }) }) });
  graph.output = [output(LOGITS_OUTPUT), output(LOCATIONS_OUTPUT)];
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}
