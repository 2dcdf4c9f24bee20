import { expect, it } from 'vitest';
import { isAlert } from './alert.ts';

it('alert modes: none, on_unknowns, on_knowns, on_all (DeGirum AlertMode)', () => {
  const table = (['none', 'on_unknowns', 'on_knowns', 'on_all'] as const).map((m) => [m, isAlert(m, true), isAlert(m, false)]);
  expect(table).toEqual([
    ['none', false, false],
    ['on_unknowns', false, true],
    ['on_knowns', true, false],
    ['on_all', true, true],
  ]);
});
