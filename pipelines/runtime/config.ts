// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const RuntimeConfig = Type.Object(
  {
    queue_capacity: Type.Integer({ default: 8, minimum: 1, description: 'records each in-process queue holds before the producer waits' }),
    intra_op_threads: Type.Integer({ default: 0, minimum: 0, description: 'ONNX intra-op threads per session; 0 = number of cores' }),
  },
  strict,
);
export type RuntimeConfig = Static<typeof RuntimeConfig>;
