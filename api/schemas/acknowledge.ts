// Acknowledging events (FindFace: PATCH /events/{id}/ with `acknowledged`, POST /events/acknowledge/).
import { Type, type Static } from '@sinclair/typebox';

const Acknowledged = Type.Boolean({ description: 'true: acknowledge; false: take the acknowledgement back' });

export const AcknowledgeOne = Type.Object({ acknowledged: Acknowledged }, { additionalProperties: false });
export type AcknowledgeOne = Static<typeof AcknowledgeOne>;

export const AcknowledgeMany = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 10000, description: 'these events (within the query filters); absent: every event the filters select' })),
    acknowledged: Type.Optional(Type.Boolean({ default: true, description: 'true (default): acknowledge; false: take the acknowledgement back' })),
  },
  { additionalProperties: false },
);
export type AcknowledgeMany = Static<typeof AcknowledgeMany>;

export const AcknowledgeResult = Type.Object({
  changed: Type.Integer({ description: 'events whose state changed' }),
  acknowledged: Type.Boolean(),
});
