import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import { NotifyConfig } from './config.ts';
import { passes, WebhookFilters } from './filters.ts';
import { episodePayload, eventPayload, counterPayload, type Payload } from './payloads.ts';
import { BoundedQueue } from './queue.ts';
import { retryDelayMs } from './retry.ts';

const groups: Record<string, string> = { 'cam-1': '1', 'cam-2': '2' };
const groupOf = (camera: string) => groups[camera];
const now = Date.parse('2026-12-03T10:00:00Z');

const matchedStaff = eventPayload(testEvent({ id: 'e1', ts: now, camera: 'cam-1', dossier: 'alice', watchList: '7', confidence: 0.9 }), groupOf);
const matchedVip = eventPayload(testEvent({ id: 'e2', ts: now, camera: 'cam-2', dossier: 'bob', watchList: '8', confidence: 0.7 }), groupOf);
const unmatched = eventPayload({ ...testEvent({ id: 'e3', ts: now, camera: 'cam-2' }), alert: true }, groupOf);
const events = [matchedStaff, matchedVip, unmatched];
const opened = episodePayload(
  { kind: 'open', episodeId: 'ep1', scope: 's', eventId: 'e1', duplicateOf: null, bestEventId: 'e1', eventsCount: 1, dossier: 'alice', cameras: ['cam-1'], startTs: now, endTs: now, startT: 0, endT: 0 },
  groupOf,
  matchedStaff,
  matchedStaff.matched_lists,
);
const closed = episodePayload(
  { kind: 'close', episodeId: 'ep2', scope: 's', eventId: null, duplicateOf: null, bestEventId: 'e3', eventsCount: 5, dossier: null, cameras: ['cam-2'], startTs: now, endTs: now + 5000, startT: 0, endT: 5 },
  groupOf,
  undefined,
  [],
);
const counter = counterPayload(
  { id: 'c1', counter: '3', counterName: 'door', camera: 'cam-1', cameraGroup: null, ts: now, seq: 1, frameRef: null, frameWidth: 640, frameHeight: 480, facesCount: 4, facesBbox: [{ x1: 1, y1: 2, x2: 3, y2: 4 }] },
  groupOf,
);
const all: Payload[] = [...events, opened, closed, counter];

/** the ids of `all` that pass `filters` (checked against the schema first, as the API does) */
function through(filters: unknown): string[] {
  expect(Value.Check(WebhookFilters, filters), JSON.stringify([...Value.Errors(WebhookFilters, filters)])).toBe(true);
  return all.filter((p) => passes(filters as WebhookFilters, p)).map((p) => p.id);
}

describe('webhook filters (FindFace §2.5)', () => {
  it('{} passes everything; a type named alone passes only that type', () => {
    expect(through({})).toEqual(['e1', 'e2', 'e3', 'ep1', 'ep2', 'c1']);
    expect(through({ events: {} })).toEqual(['e1', 'e2', 'e3']);
    expect(through({ episodes: {}, counters: {} })).toEqual(['ep1', 'ep2', 'c1']);
  });

  it('event filters: matched, lists (OR, -1 = unmatched), dossiers, cameras, groups, confidence, best-shot modes', () => {
    expect(through({ events: { matched: true } })).toEqual(['e1', 'e2']);
    expect(through({ events: { matched: false } })).toEqual(['e3']);
    expect(through({ events: { matched_lists_in: [7] } })).toEqual(['e1']);
    expect(through({ events: { matched_lists_in: ['8', -1] } })).toEqual(['e2', 'e3']);
    expect(through({ events: { matched_dossier_in: ['bob'] } })).toEqual(['e2']);
    expect(through({ events: { camera_in: ['cam-2'], matched: true } })).toEqual(['e2']);
    expect(through({ events: { camera_group_in: [1] } })).toEqual(['e1']);
    expect(through({ events: { confidence_gte: 0.75 } })).toEqual(['e1']);
    expect(through({ events: { allowed_bs_types: ['overall'] } })).toEqual([]);
    expect(through({ events: { allowed_bs_types: ['realtime', 'overall'] } })).toEqual(['e1', 'e2', 'e3']);
    expect(through({ events: { alert: true } })).toEqual(['e3']);
    expect(through({ events: { alert: false } })).toEqual(['e1', 'e2']);
  });

  it('an empty list passes nothing', () => {
    expect(through({ events: { camera_in: [] }, episodes: {} })).toEqual(['ep1', 'ep2']);
  });

  it('episode filters: change types, matched, lists, counts, groups', () => {
    expect(through({ episodes: { allowed_types: ['episode_close'] } })).toEqual(['ep2']);
    expect(through({ episodes: { matched: true } })).toEqual(['ep1']);
    expect(through({ episodes: { matched_lists_in: [7] } })).toEqual(['ep1']);
    expect(through({ episodes: { matched_lists_in: [-1] } })).toEqual(['ep2']);
    expect(through({ episodes: { events_count_gte: 2 } })).toEqual(['ep2']);
    expect(through({ episodes: { events_count_lte: 4 } })).toEqual(['ep1']);
    expect(through({ episodes: { camera_group_in: ['2'] } })).toEqual(['ep2']);
  });

  it('counter filters: counters, faces range, silhouettes', () => {
    expect(through({ counters: { counter_in: [3], faces_gte: 4, faces_lte: 4 } })).toEqual(['c1']);
    expect(through({ counters: { faces_gte: 5 } })).toEqual([]);
    expect(through({ counters: { silhouettes_gte: 1 } })).toEqual([]);
  });

  it('refuses unknown filter names and types', () => {
    expect(Value.Check(WebhookFilters, { events: { matched_list_in: [1] } })).toBe(false);
    expect(Value.Check(WebhookFilters, { persons: {} })).toBe(false);
  });

  it('payloads carry FindFace fields', () => {
    expect(matchedStaff).toMatchObject({ webhook_type: 'events', event_type: 'event_created', camera_group: '1', matched_lists: ['7'], matched_face: 'alice/1.jpg' });
    expect(unmatched.matched_lists).toEqual(['-1']);
    expect(opened).toMatchObject({ event_type: 'episode_open', open: true, closed_date: null, last_event: matchedStaff, camera_groups: ['1'] });
    expect(closed).toMatchObject({ event_type: 'episode_close', open: false, last_event: null, matched_lists: ['-1'] });
    expect(counter).toMatchObject({ event_type: 'counter_record', camera_group: '1', faces_bbox: [[[1, 2], [3, 2], [3, 4], [1, 4]]] });
  });
});

describe('retry schedule', () => {
  it('grows by the multiplier from the first pause and stops at 100 s (FindFace: 0.729 s, 1.968 s, 5.314 s …)', () => {
    const policy = (Value.Default(NotifyConfig, {}) as NotifyConfig).webhooks;
    const delays = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, policy));
    expect(delays.slice(0, 3)).toEqual([729, 1968, 5314]);
    expect(Math.max(...delays)).toBe(100_000);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
  });
});

describe('bounded queue', () => {
  it('drops the oldest beyond its limit and tells the caller which', () => {
    const q = new BoundedQueue<number>(3);
    expect(q.push([1, 2], 10)).toEqual([]);
    expect(q.oldestAt).toBe(10);
    expect(q.push([3, 4, 5], 20)).toEqual([1, 2]);
    expect(q.take(2)).toEqual([3, 4]);
    expect(q.drain()).toEqual([5]);
    expect(q.oldestAt).toBeNull();
  });
});
