import { describe, expect, it } from 'vitest';
import { dedupEvent, emptyDedup, type DedupEvent, type DedupRule, type DedupState } from './rules.ts';

const rule: DedupRule = { intervalMs: 15_000, threshold: 0.5 };
/** a unit vector mostly along axis `axis`, tilted by `tilt` towards the next axis */
function face(axis: number, tilt = 0): Float32Array {
  const v = new Float32Array(8);
  v[axis] = Math.cos(tilt);
  v[(axis + 1) % 8] = Math.sin(tilt);
  return v;
}
const ev = (id: string, s: number, o: Partial<DedupEvent> = {}): DedupEvent => ({ id, ts: s * 1000, dossier: null, vector: face(0), quality: -1, ...o });

function verdicts(events: DedupEvent[], r: DedupRule = rule): Array<[string, string | null]> {
  let state: DedupState = emptyDedup;
  return events.map((e) => {
    const step = dedupEvent(state, e, r);
    state = step.state;
    return [e.id, step.duplicateOf];
  });
}

describe('event deduplication (FindFace, per camera group)', () => {
  it('matched: a second event of the same dossier within the interval duplicates the first; others are kept', () => {
    expect(
      verdicts([
        ev('a1', 0, { dossier: 'anna' }),
        ev('b1', 3, { dossier: 'boris', vector: face(3) }),
        ev('a2', 10, { dossier: 'anna' }),
        ev('a3', 15, { dossier: 'anna' }),
        ev('a4', 16, { dossier: 'anna' }), // 16 s after the last kept anna: kept again
        ev('a5', 20, { dossier: 'anna' }),
      ]),
    ).toEqual([
      ['a1', null],
      ['b1', null],
      ['a2', 'a1'],
      ['a3', 'a1'],
      ['a4', null],
      ['a5', 'a4'],
    ]);
  });

  it('a replayed event keeps its verdict: a kept one is not a duplicate of itself, a duplicate names the same original', () => {
    const events = [ev('a1', 0, { dossier: 'anna' }), ev('a2', 3, { dossier: 'anna' }), ev('u1', 4, { vector: face(2) })];
    expect(verdicts([...events, ...events])).toEqual([
      ['a1', null],
      ['a2', 'a1'],
      ['u1', null],
      ['a1', null],
      ['a2', 'a1'],
      ['u1', null],
    ]);
  });

  it('matched events never duplicate unmatched ones, however similar', () => {
    expect(verdicts([ev('u1', 0), ev('m1', 1, { dossier: 'anna' }), ev('u2', 2, { dossier: null })])).toEqual([
      ['u1', null],
      ['m1', null],
      ['u2', 'u1'],
    ]);
  });

  it('unmatched: a similar face within the interval is a duplicate unless of higher quality', () => {
    expect(
      verdicts([
        ev('u1', 0, { quality: -2 }),
        ev('u2', 2, { quality: -2, vector: face(0, 0.3) }), // similar (cos 0.96), same quality: duplicate
        ev('u3', 4, { quality: -3 }), // worse: duplicate
        ev('u4', 6, { quality: -0.5 }), // better: kept, and the reference from now on
        ev('u5', 8, { quality: -1 }), // similar to u4 and worse than it: duplicate of u4
        ev('v1', 9, { vector: face(4) }), // another face: kept
      ]),
    ).toEqual([
      ['u1', null],
      ['u2', 'u1'],
      ['u3', 'u1'],
      ['u4', null],
      ['u5', 'u4'],
      ['v1', null],
    ]);
  });

  it('unmatched: faces below the similarity threshold are different people; the interval bounds the look-back', () => {
    expect(verdicts([ev('u1', 0), ev('w1', 1, { vector: face(0, 1.2) }), ev('u2', 16)])).toEqual([
      ['u1', null],
      ['w1', null], // cos 0.36 < 0.5
      ['u2', null], // 16 s after u1
    ]);
    expect(verdicts([ev('u1', 0), ev('u2', 10)], { intervalMs: 5000, threshold: 0.5 })).toEqual([
      ['u1', null],
      ['u2', null],
    ]);
  });

  it('a late event of another camera compares within its own interval, and state stays bounded', () => {
    let state: DedupState = emptyDedup;
    state = dedupEvent(state, ev('m1', 100, { dossier: 'anna' }), rule).state;
    expect(dedupEvent(state, ev('m0', 90, { dossier: 'anna' }), rule).duplicateOf).toBe('m1');
    for (let s = 0; s < 1000; s += 5) state = dedupEvent(state, ev(`x${s}`, 200 + s, { vector: face(s % 8, 1.2) }), rule).state;
    expect(state.kept.length).toBeLessThanOrEqual(4);
  });
});
