import { describe, expect, it } from 'vitest';
import { matchedWatchLists } from './rows.ts';
import { testEvent } from './test-events.ts';

describe('matchedWatchLists', () => {
  const matched = testEvent({ id: 'e', ts: 0, dossier: 'anna', watchList: '3' });
  const [anna, other] = matched.candidates;

  it("every list the matched dossier's candidate passed, not its first list only", () => {
    const event = { ...matched, candidates: [{ ...anna!, watchList: '3', watchLists: ['3', '7', '9'], matchedWatchLists: ['7', '9'] }, other!] };
    expect(matchedWatchLists(event)).toEqual(['7', '9']);
  });

  it('a record written before the candidates named their lists: its watchList', () => {
    expect(matchedWatchLists({ ...matched, candidates: [{ ...anna!, watchLists: [], matchedWatchLists: [] }, other!] })).toEqual(['3']);
  });

  it('an unmatched event: none', () => {
    expect(matchedWatchLists(testEvent({ id: 'u', ts: 0 }))).toEqual([]);
  });
});
