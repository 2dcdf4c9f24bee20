// The matcher's onnxruntime graphs are written here in memory, not loaded from files: a graph's model wrapper and
// its inputs' and outputs' shapes, written once for gemm-scores.ts and int8-scan.ts.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A typed tensor of the graph's signature; a string dimension is symbolic (any size, named). */
export function tensorInfo(name: string, elemType: number, shape: readonly (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** The graph as a model file's bytes (opset 13). */
export function encodeGraph(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'facestream', opsetImport: [{ domain: '', version: 13 }], graph })).finish();
}
