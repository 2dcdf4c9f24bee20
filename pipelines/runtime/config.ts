// Configuration of the in-process runtime: TypeBox schema; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

export const RuntimeConfig = Type.Object(
  {
    queue_capacity: Type.Integer({ default: 8, minimum: 1, description: 'records each in-process queue holds before its producer waits (back-pressure)' }),
    intra_op_threads: Type.Integer({ default: 0, minimum: 0, description: 'ONNX intra-op threads per session; 0 = number of cores' }),
  },
  { additionalProperties: false },
);
export type RuntimeConfig = Static<typeof RuntimeConfig>;
