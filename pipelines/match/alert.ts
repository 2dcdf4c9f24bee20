// DeGirum FaceTracker's alert modes (PRODUCT-REFERENCE.md §4.3): per camera or camera group, which face events are
// alerts. The event carries the verdict (FaceEvent.alert) so the live feed and webhooks filter on one flag.
import { Type, type Static, type SchemaOptions } from '@sinclair/typebox';

const MODES = ['none', 'on_unknowns', 'on_knowns', 'on_all'] as const;

/** The schema of an alert mode (DeGirum AlertMode NONE, ON_UNKNOWNS, ON_KNOWNS, ON_ALL, lower-cased). */
export const alertModeSchema = (options: SchemaOptions = {}) =>
  Type.Union(
    MODES.map((m) => Type.Literal(m)),
    { description: 'which events are alerts (DeGirum AlertMode): none, on_unknowns (unmatched faces), on_knowns (matched faces), on_all', ...options },
  );
export const AlertMode = alertModeSchema();
export type AlertMode = Static<typeof AlertMode>;

/** Whether an event is an alert under `mode`. */
export function isAlert(mode: AlertMode, matched: boolean): boolean {
  switch (mode) {
    case 'none':
      return false;
    case 'on_unknowns':
      return !matched;
    case 'on_knowns':
      return matched;
    case 'on_all':
      return true;
  }
}
