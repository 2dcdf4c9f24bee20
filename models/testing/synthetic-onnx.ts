// Tiny synthetic ONNX models for tests: one input with the real model's name and shape, outputs laid out exactly
// like the real model's, holding constants that encode faces at known positions. No weights can be downloaded here
// (SCRFD, YuNet, ArcFace, SFace are on no package registry), so these prove the decoders and the manifest plumbing
// end to end through onnxruntime — not the accuracy of any real model.
//
// Graph: m = ReduceMean(input) → z = m · 0 → output_i = Constant_i + z. Every output depends on the input (so no
// runtime can prune or reject the input), and equals its constant for any finite input.
import onnxProto from 'onnx-proto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Box, Point } from '../../schemas/records.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OPSET = 13;

export interface SyntheticOutput {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** A symbolic dimension is a string (e.g. 'N', '?'), a fixed one a number. */
export type Dim = number | string;

function valueInfo(name: string, dims: readonly Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

function floatTensor(name: string, dims: readonly number[], data: Float32Array) {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`synthetic tensor ${name}: dims [${dims.join(', ')}] hold ${n} values, data has ${data.length}`);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(data.slice().buffer) });
}

function constantNode(output: string, t: ReturnType<typeof floatTensor>) {
  return onnx.NodeProto.create({
    opType: 'Constant',
    input: [],
    output: [output],
    attribute: [onnx.AttributeProto.create({ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t })],
  });
}

function model(graph: InstanceType<typeof onnx.GraphProto>): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'facestream-synthetic',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    graph,
  });
  return onnx.ModelProto.encode(m).finish();
}

/** A model whose outputs are the given constants (in this order), with `input` consumed as described above. */
export function constantOutputModel(inputName: string, inputDims: readonly Dim[], outputs: readonly SyntheticOutput[]): Uint8Array {
  const nodes = [
    onnx.NodeProto.create({
      opType: 'ReduceMean',
      input: [inputName],
      output: ['synthetic_mean'],
      attribute: [onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
    }),
    constantNode('synthetic_zero', floatTensor('synthetic_zero', [], new Float32Array([0]))),
    onnx.NodeProto.create({ opType: 'Mul', input: ['synthetic_mean', 'synthetic_zero'], output: ['synthetic_z'] }),
  ];
  outputs.forEach((o, i) => {
    nodes.push(constantNode(`synthetic_c${i}`, floatTensor(`synthetic_c${i}`, o.dims, o.data)));
    nodes.push(onnx.NodeProto.create({ opType: 'Add', input: [`synthetic_c${i}`, 'synthetic_z'], output: [o.name] }));
  });
  const graph = onnx.GraphProto.create({
    name: 'synthetic',
    node: nodes,
    input: [valueInfo(inputName, inputDims)],
    output: outputs.map((o) => valueInfo(o.name, o.dims)),
  });
  return model(graph);
}

/**
 * A stand-in embedder: output [B, 3] = the per-channel mean of the input tensor. Its (L2-normalised) vector tells a
 * test which colour order and normalisation reached the network. `batch` 1 imitates exports with a fixed batch axis.
 */
export function channelMeanEmbedder(inputName: string, size: number, batch: Dim = 'N'): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'synthetic-embedder',
    node: [
      onnx.NodeProto.create({
        opType: 'ReduceMean',
        input: [inputName],
        output: ['embedding'],
        attribute: [
          onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2, 3] }),
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
        ],
      }),
    ],
    input: [valueInfo(inputName, [batch, 3, size, size])],
    output: [valueInfo('embedding', [batch, 3])],
  });
  return model(graph);
}

const tempDirs = new Set<string>();

/** Writes `bytes` to a fresh temporary directory and returns the file's path. */
export function writeTempModel(fileName: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'facestream-synthetic-'));
  tempDirs.add(dir);
  const path = join(dir, fileName);
  writeFileSync(path, bytes);
  return path;
}

/** Deletes every directory writeTempModel made (call after the sessions using them are closed). */
export function removeTempModels(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

// ---- face encoders: the inverse of the decoders, written from the reference implementations' formulas ----

/** A face in network-input (canvas) pixels. */
export interface CanvasFace {
  readonly box: Box;
  readonly landmarks5: readonly Point[];
  readonly score: number;
}

export interface Placed {
  readonly face: CanvasFace;
  readonly stride: number;
  /** feature-map cell [col, row]; default: the cell nearest the box centre */
  readonly cell?: readonly [number, number];
  /** SCRFD anchor index (0 or 1) */
  readonly anchor?: number;
}

export interface ScrfdLayout {
  /** 'kind': score_8, score_16, score_32, bbox_…, kps_… (InsightFace's export); 'stride': score_8, bbox_8, kps_8, score_16, … */
  readonly order: 'kind' | 'stride';
  /** [1, N, C] instead of [N, C] */
  readonly batchAxis: boolean;
  /** include the kps outputs (the *_kps / *_bnkps models) */
  readonly kps: boolean;
  /** numeric output names as in the model-zoo files, instead of score_8 … */
  readonly numericNames: boolean;
}

const centre = (b: Box): Point => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];

/**
 * SCRFD outputs for a width × height input, 3 strides, 2 anchors per cell. A face goes in at cell (c, r), anchor a:
 * row (r·cols + c)·2 + a, anchor centre (c·s, r·s), bbox distances (cx − x1, cy − y1, x2 − cx, y2 − cy)/s, kps
 * offsets (p − centre)/s. Unset rows score 0.
 */
export function scrfdOutputs(width: number, height: number, faces: readonly Placed[], layout: ScrfdLayout): SyntheticOutput[] {
  const strides = [8, 16, 32];
  const A = 2;
  const levels = strides.map((s) => {
    const cols = Math.ceil(width / s);
    const n = cols * Math.ceil(height / s) * A;
    return { s, cols, n, score: new Float32Array(n), bbox: new Float32Array(n * 4), kps: new Float32Array(n * 10) };
  });
  for (const p of faces) {
    const L = levels.find((l) => l.s === p.stride);
    if (!L) throw new Error(`SCRFD has no stride ${p.stride}`);
    const [fx, fy] = centre(p.face.box);
    const [c, r] = p.cell ?? [Math.round(fx / L.s), Math.round(fy / L.s)];
    const k = (r * L.cols + c) * A + (p.anchor ?? 0);
    const ax = c * L.s;
    const ay = r * L.s;
    const { box, landmarks5, score } = p.face;
    L.score[k] = score;
    L.bbox.set([(ax - box.x1) / L.s, (ay - box.y1) / L.s, (box.x2 - ax) / L.s, (box.y2 - ay) / L.s], k * 4);
    L.kps.set(landmarks5.flatMap(([x, y]) => [(x - ax) / L.s, (y - ay) / L.s]), k * 10);
  }
  const dims = (n: number, ch: number): number[] => (layout.batchAxis ? [1, n, ch] : [n, ch]);
  const out = (kind: string, L: (typeof levels)[number]): SyntheticOutput => {
    const ch = kind === 'score' ? 1 : kind === 'bbox' ? 4 : 10;
    return { name: `${kind}_${L.s}`, dims: dims(L.n, ch), data: kind === 'score' ? L.score : kind === 'bbox' ? L.bbox : L.kps };
  };
  const kinds = layout.kps ? ['score', 'bbox', 'kps'] : ['score', 'bbox'];
  const ordered =
    layout.order === 'kind' ? kinds.flatMap((k) => levels.map((L) => out(k, L))) : levels.flatMap((L) => kinds.map((k) => out(k, L)));
  return layout.numericNames ? ordered.map((o, i) => ({ ...o, name: String(448 + 23 * i) })) : ordered;
}

/**
 * YuNet 2023mar outputs for a width × height input: cls/obj/bbox/kps per stride 8, 16, 32, one anchor per cell,
 * shape [1, N, C]. A face goes in at cell (c, r): bbox (cx/s − c, cy/s − r, ln(w/s), ln(h/s)), kps p/s − (c, r),
 * obj = `obj` and cls = score²/obj so that sqrt(cls · obj) = score.
 */
export function yunetOutputs(width: number, height: number, faces: readonly Placed[], obj = 0.95): SyntheticOutput[] {
  const levels = [8, 16, 32].map((s) => {
    const cols = width / s;
    const n = cols * (height / s);
    return { s, cols, n, cls: new Float32Array(n), obj: new Float32Array(n), bbox: new Float32Array(n * 4), kps: new Float32Array(n * 10) };
  });
  for (const p of faces) {
    const L = levels.find((l) => l.s === p.stride);
    if (!L) throw new Error(`YuNet has no stride ${p.stride}`);
    const { box, landmarks5, score } = p.face;
    const [fx, fy] = centre(box);
    const [c, r] = p.cell ?? [Math.floor(fx / L.s), Math.floor(fy / L.s)];
    const i = r * L.cols + c;
    L.obj[i] = obj;
    L.cls[i] = (score * score) / obj;
    L.bbox.set([fx / L.s - c, fy / L.s - r, Math.log((box.x2 - box.x1) / L.s), Math.log((box.y2 - box.y1) / L.s)], i * 4);
    L.kps.set(landmarks5.flatMap(([x, y]) => [x / L.s - c, y / L.s - r]), i * 10);
  }
  return (['cls', 'obj', 'bbox', 'kps'] as const).flatMap((kind) =>
    levels.map((L) => ({ name: `${kind}_${L.s}`, dims: [1, L.n, kind === 'bbox' ? 4 : kind === 'kps' ? 10 : 1], data: L[kind] })),
  );
}

/** A face given in frame pixels, moved into the canvas of a top-left letterbox with per-axis scale sx, sy. */
export function frameToCanvas(face: CanvasFace, sx: number, sy = sx): CanvasFace {
  return {
    box: { x1: face.box.x1 * sx, y1: face.box.y1 * sy, x2: face.box.x2 * sx, y2: face.box.y2 * sy },
    landmarks5: face.landmarks5.map(([x, y]) => [x * sx, y * sy] as const),
    score: face.score,
  };
}
