// The model manifest: everything facestream needs to know to run an ONNX face model, so that another
// detector or embedder is a configuration change, not a code change.
import { Type, type Static } from '@sinclair/typebox';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateOrThrow } from '../config/validate.ts';

const Normalisation = Type.Object(
  {
    mean: Type.Array(Type.Number(), { minItems: 1, maxItems: 3, description: 'subtracted per channel, on the 0–255 scale' }),
    std: Type.Array(Type.Number(), { minItems: 1, maxItems: 3, description: 'divided per channel after the mean, on the 0–255 scale' }),
  },
  { additionalProperties: false, description: 'input value = (pixel − mean) / std' },
);

const Source = Type.Object(
  {
    npm: Type.String({ description: 'npm package spec the file is extracted from, e.g. name@1.2.3', examples: ['faceplugin-face-recognition-js@0.0.1'] }),
    path: Type.String({ description: 'path of the file inside the package tarball' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the original file; installation fails on mismatch' }),
  },
  { additionalProperties: false },
);

const Prepare = Type.Object(
  {
    flushSubnormals: Type.Boolean({ default: true, description: 'zero subnormal float weights (identical outputs, far lower CPU latency)' }),
    zeroNegligibleWeights: Type.Boolean({
      default: true,
      description: 'zero layer weights below 1e-12 in magnitude, whose products with activations go subnormal (same outputs to float rounding, lower CPU latency)',
    }),
    dynamicBatch: Type.Boolean({ default: true, description: 'make axis 0 of inputs/outputs symbolic so faces can be batched' }),
  },
  { additionalProperties: false },
);

export const ModelRole = Type.Union([
  Type.Literal('detector'),
  Type.Literal('landmarks'),
  Type.Literal('embedder'),
  Type.Literal('gender'),
  Type.Literal('age'),
  Type.Literal('emotion'),
  Type.Literal('eyes'),
  Type.Literal('pose'),
  Type.Literal('liveness'),
]);
export type ModelRole = Static<typeof ModelRole>;

export const ModelEntry = Type.Object(
  {
    role: ModelRole,
    kind: Type.String({ description: 'decoder family for this role, e.g. ultralight (detector), ssrnet (age/gender), arcface (embedder)' }),
    id: Type.String({ description: 'stable model id, recorded with every embedding so vectors of different models never mix' }),
    file: Type.String({ description: 'prepared ONNX file name (relative to the prepared-models directory) or an absolute path' }),
    source: Type.Optional(Source),
    prepare: Type.Optional(Prepare),
    input: Type.Object(
      {
        width: Type.Integer({ minimum: 1 }),
        height: Type.Integer({ minimum: 1 }),
        channels: Type.Union([Type.Literal(1), Type.Literal(3)]),
        colour: Type.Union([Type.Literal('rgb'), Type.Literal('bgr'), Type.Literal('grey')]),
        normalisation: Normalisation,
      },
      { additionalProperties: false },
    ),
    crop: Type.Optional(
      Type.Object(
        {
          method: Type.Union([Type.Literal('frame'), Type.Literal('box'), Type.Literal('aligned'), Type.Literal('eye')], {
            description: 'frame = whole frame; box = face box scaled by `scale` around its centre; aligned = 5-point similarity alignment; eye = square around each eye',
          }),
          scale: Type.Number({ default: 1, description: 'crop side = box side × scale' }),
          square: Type.Boolean({ default: true }),
        },
        { additionalProperties: false },
      ),
    ),
    thresholds: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'role-specific thresholds (score, nms, male, live …)' })),
    outputDim: Type.Optional(Type.Integer({ description: 'embedding size, for embedders' })),
    accuracy: Type.Optional(Type.String({ description: 'what we measured, with the benchmark that measured it' })),
  },
  { additionalProperties: false },
);
export type ModelEntry = Static<typeof ModelEntry>;

export const Manifest = Type.Object(
  {
    name: Type.String(),
    licence: Type.String(),
    notes: Type.Optional(Type.String()),
    models: Type.Array(ModelEntry, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof Manifest>;

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_MANIFEST_PATH = resolve(here, 'faceplugin.manifest.json');
export const DEFAULT_PREPARED_DIR = resolve(here, 'prepared');

export function loadManifest(path: string = DEFAULT_MANIFEST_PATH): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`model manifest ${path}: ${(err as Error).message}`);
  }
  return validateOrThrow(Manifest, raw, `model manifest ${path}`);
}

/** Where the runnable ONNX file of an entry lives. */
export function modelPath(entry: ModelEntry, preparedDir: string = DEFAULT_PREPARED_DIR): string {
  return isAbsolute(entry.file) ? entry.file : resolve(preparedDir, entry.file);
}

export function findModel(manifest: Manifest, role: ModelRole): ModelEntry | undefined {
  return manifest.models.find((m) => m.role === role);
}
