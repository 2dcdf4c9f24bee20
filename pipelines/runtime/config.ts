// Configuration of the in-process runtime: TypeBox schema; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

/** Chosen from models/worker/bench-detect.ts and `analyze` on 720p 25 fps (models/worker/README.md). */
const MODEL_WORKERS_DEFAULT = 2;

export const RuntimeConfig = Type.Object(
  {
    queue_capacity: Type.Integer({ default: 8, minimum: 1, description: 'records each in-process queue holds before its producer waits (back-pressure)' }),
    intra_op_threads: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'ONNX intra-op threads per session; 0 = number of cores, or with model workers the cores shared out among them (at least 1 each)',
    }),
    model_workers: Type.Integer({
      default: MODEL_WORKERS_DEFAULT,
      minimum: 0,
      description:
        'worker threads that run the face models, each with its own ONNX sessions, so model calls run in parallel with each other and with decoding; 0 = on the main thread',
    }),
  },
  { additionalProperties: false },
);
export type RuntimeConfig = Static<typeof RuntimeConfig>;
