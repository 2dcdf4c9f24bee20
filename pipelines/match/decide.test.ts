import { describe, expect, it } from 'vitest';
import type { WatchListRule } from '../../schemas/generated/avro-types.ts';
import { decideGlobal, decideMatch, listApplies, listThreshold, openRule, UNKNOWN_CAMERA, type CameraMatching } from './decide.ts';

const rule = (id: string, confidenceThreshold: number | null = null, cameraGroups: string[] = []): WatchListRule => ({ id, confidenceThreshold, cameraGroups });
const found = (dossier: string, confidence: number, rules: WatchListRule[]) => ({ candidate: { dossier, dossierFace: `${dossier}/1`, watchList: rules[0]?.id ?? '', confidence }, rules });
const lobby: CameraMatching = { group: 'lobby', threshold: null };

describe('the threshold chain: list ?? camera (or its group) ?? global', () => {
  it('takes the first that is set', () => {
    expect(listThreshold(rule('a', 0.8), { group: 'g', threshold: 0.6 }, 0.4)).toBe(0.8);
    expect(listThreshold(rule('a'), { group: 'g', threshold: 0.6 }, 0.4)).toBe(0.6);
    expect(listThreshold(rule('a'), UNKNOWN_CAMERA, 0.4)).toBe(0.4);
  });

  it('applies a list with camera groups only to cameras in them; one without, everywhere', () => {
    expect(listApplies(rule('a'), UNKNOWN_CAMERA)).toBe(true);
    expect(listApplies(rule('a', null, ['lobby', 'gate']), lobby)).toBe(true);
    expect(listApplies(rule('a', null, ['gate']), lobby)).toBe(false);
    expect(listApplies(rule('a', null, ['gate']), UNKNOWN_CAMERA)).toBe(false);
  });
});

describe('decideMatch', () => {
  it.each([
    ['above the global threshold', 0.8, { matched: true, dossier: 'a', confidence: 0.8 }],
    ['at it', 0.5, { matched: true, dossier: 'a', confidence: 0.5 }],
    ['below it', 0.49, { matched: false, dossier: null, confidence: 0.49 }],
  ])('%s', (_name, confidence, expected) => {
    expect(decideGlobal([{ dossier: 'a', dossierFace: 'a1', watchList: 'l', confidence }], 0.5).decision).toEqual(expected);
  });

  it('no candidates: unmatched, confidence 0', () => {
    expect(decideMatch([], lobby, 0.5)).toEqual({ candidates: [], decision: { matched: false, dossier: null, confidence: 0 } });
  });

  it('matches through every list of the dossier it passes, not the first only', () => {
    const { candidates, decision } = decideMatch([found('anna', 0.65, [rule('1', 0.8), rule('2'), rule('3', 0.6)])], lobby, 0.5);
    expect(decision).toEqual({ matched: true, dossier: 'anna', confidence: 0.65 });
    expect(candidates[0]).toMatchObject({ watchList: '1', watchLists: ['1', '2', '3'], matchedWatchLists: ['2', '3'] });
  });

  it('a list threshold above the confidence, a camera threshold above it, a list of another camera group: no match', () => {
    expect(decideMatch([found('anna', 0.65, [rule('1', 0.8)])], lobby, 0.5).decision.matched).toBe(false);
    expect(decideMatch([found('anna', 0.65, [rule('1')])], { group: 'lobby', threshold: 0.8 }, 0.5).decision.matched).toBe(false);
    expect(decideMatch([found('anna', 0.65, [rule('1', null, ['gate'])])], lobby, 0.5).decision.matched).toBe(false);
    // a list's own threshold wins over the camera's, lower as well as higher
    expect(decideMatch([found('anna', 0.65, [rule('1', 0.6)])], { group: 'lobby', threshold: 0.8 }, 0.5).decision.matched).toBe(true);
  });

  it('matches the most similar candidate that passes, and keeps reporting the others with their lists', () => {
    const { candidates, decision } = decideMatch(
      [found('vip', 0.7, [rule('vip', 0.9)]), found('staff', 0.6, [rule('staff')]), found('guest', 0.4, [rule('guest')])],
      lobby,
      0.5,
    );
    expect(decision).toEqual({ matched: true, dossier: 'staff', confidence: 0.6 });
    expect(candidates.map((c) => [c.dossier, c.watchLists, c.matchedWatchLists])).toEqual([
      ['vip', ['vip'], []],
      ['staff', ['staff'], ['staff']],
      ['guest', ['guest'], []],
    ]);
  });

  it('nothing passes: unmatched, with the best confidence', () => {
    expect(decideMatch([found('vip', 0.7, [rule('vip', 0.9)]), found('gate', 0.6, [rule('gate', null, ['gate'])])], lobby, 0.5).decision).toEqual({ matched: false, dossier: null, confidence: 0.7 });
  });

  it('a list without a rule inherits every threshold', () => {
    expect(decideMatch([found('a', 0.55, [openRule('x')])], { group: 'g', threshold: 0.5 }, 0.9).decision.matched).toBe(true);
  });
});
