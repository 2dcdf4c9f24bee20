import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { TrackConfig } from './config.ts';
import { createIouAppearanceTracker } from './iou-appearance-tracker.ts';
import type { Tracker } from './tracker.ts';
import type { DetectedFace } from '../../schemas/records.ts';
import { basis, detections, faceAt, frameAt, square } from '../runtime/testing/index.ts';
import { iou } from './box.ts';

const config = (over: Record<string, unknown> = {}): TrackConfig => validateOrThrow(TrackConfig, { ...over }, 'track');

/** Feeds frames at 10 fps and returns, per frame, the track id of each face in face order. */
function run(tracker: Tracker, frames: readonly (readonly DetectedFace[])[], camera = 'cam', dt = 0.1): string[][] {
  return frames.map((faces, seq) => tracker.step(detections(frameAt(camera, seq, seq * dt), faces)).observed.map((o) => o.track.id));
}

describe('IouAppearanceTracker', () => {
  it('gives deterministic ids per camera in creation order', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1 }));
    expect(run(tracker, [[faceAt(square(0, 0)), faceAt(square(200, 0))]], 'a')).toEqual([['a-1', 'a-2']]);
    expect(run(tracker, [[faceAt(square(0, 0))]], 'b')).toEqual([['b-1']]);
  });

  it.each([
    ['with appearance', (i: number) => basis(i)],
    ['motion only', () => new Float32Array(0)],
  ])('keeps ids of two people crossing (%s)', (_name, look) => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1 }));
    // A walks right, B walks left along the same line; they overlap fully at frame 10.
    const frames = Array.from({ length: 21 }, (_, k) => [
      faceAt(square(100 + 10 * k, 100), { appearance: look(0) }),
      faceAt(square(300 - 10 * k, 100), { appearance: look(1) }),
    ]);
    const ids = run(tracker, frames);
    expect(new Set(ids.map((f) => f[0]))).toEqual(new Set(['cam-1']));
    expect(new Set(ids.map((f) => f[1]))).toEqual(new Set(['cam-2']));
  });

  it.each([
    ['a miss shorter than miss_interval keeps the id', 0.7, ['cam-1']],
    ['a miss longer than miss_interval starts a new track', 1.5, ['cam-1', 'cam-2']],
  ])('%s', (_name, gap, expected) => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 2, miss_interval: 1.0 }));
    const ids = new Set<string>();
    const ended: string[] = [];
    const times = [0, 0.1, 0.2, 0.2 + gap, 0.3 + gap];
    times.forEach((t, seq) => {
      const step = tracker.step(detections(frameAt('cam', seq, t), [faceAt(square(100, 100))]));
      step.observed.forEach((o) => ids.add(o.track.id));
      ended.push(...step.ended.map((e) => e.id));
    });
    expect([...ids]).toEqual(expected);
    expect(ended).toEqual(expected.length > 1 ? ['cam-1'] : []);
  });

  it('ends a track only when a frame shows it unseen for more than miss_interval', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1, miss_interval: 1.0 }));
    tracker.step(detections(frameAt('cam', 0, 0), [faceAt(square(0, 0))]));
    expect(tracker.step(detections(frameAt('cam', 1, 1.0), [])).ended).toEqual([]);
    const ended = tracker.step(detections(frameAt('cam', 2, 1.05), [])).ended;
    expect(ended.map((e) => [e.id, e.frames, e.firstT, e.lastT])).toEqual([['cam-1', 1, 0, 0]]);
  });

  it('credence count: a one-frame blip never confirms and ends on its first miss', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 3 }));
    const s0 = tracker.step(detections(frameAt('cam', 0, 0), [faceAt(square(0, 0))]));
    expect(s0.observed[0]?.track.confirmed).toBe(false);
    const s1 = tracker.step(detections(frameAt('cam', 1, 0.1), []));
    expect(s1.ended.map((e) => [e.id, e.confirmed])).toEqual([['cam-1', false]]);
  });

  it('confirms on the credence_count-th frame and reports it once', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 3 }));
    const seen = [0, 1, 2, 3].map((k) => tracker.step(detections(frameAt('cam', k, k * 0.1), [faceAt(square(0, 0))])).observed[0]);
    expect(seen.map((o) => [o?.track.confirmed, o?.justConfirmed])).toEqual([
      [false, false],
      [false, false],
      [true, true],
      [true, false],
    ]);
  });

  it('appearance refuses a swap between two overlapping boxes', () => {
    const left = square(100, 100);
    const right = square(120, 100); // IoU with left = 20·40 / 60·40 ≈ 0.33 ≥ overlap_threshold
    expect(iou(left, right)).toBeGreaterThan(0.25);
    const tracker = createIouAppearanceTracker(config({ credence_count: 1, min_appearance: 0.5 }));
    const ids = run(tracker, [
      [faceAt(left, { appearance: basis(0) }), faceAt(right, { appearance: basis(1) })],
      // The two faces trade places: pure IoU would keep ids on boxes, appearance keeps them on people.
      [faceAt(left, { appearance: basis(1) }), faceAt(right, { appearance: basis(0) })],
    ]);
    expect(ids).toEqual([
      ['cam-1', 'cam-2'],
      ['cam-2', 'cam-1'],
    ]);
  });

  it('refuses a different-looking face in the same place (new track)', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1, min_appearance: 0.5 }));
    const ids = run(tracker, [[faceAt(square(0, 0), { appearance: basis(0) })], [faceAt(square(0, 0), { appearance: basis(1) })]]);
    expect(ids).toEqual([['cam-1'], ['cam-2']]);
  });

  it('constant-velocity prediction keeps a fast, accelerating mover', () => {
    const xs = [0, 10, 20, 50, 80, 110, 140];
    // Consecutive raw boxes at 30 px/frame overlap too little to associate without prediction.
    expect(iou(square(50, 0), square(80, 0))).toBeLessThan(0.25);
    const tracker = createIouAppearanceTracker(config({ credence_count: 1 }));
    const ids = run(tracker, xs.map((x) => [faceAt(square(x, 0))]));
    expect(new Set(ids.flat())).toEqual(new Set(['cam-1']));
  });

  it('greedy assignment also works for well separated faces', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1, assignment: 'greedy' }));
    const ids = run(tracker, [0, 1, 2].map((k) => [faceAt(square(10 * k, 0)), faceAt(square(300 - 10 * k, 0))]));
    expect(ids).toEqual([
      ['cam-1', 'cam-2'],
      ['cam-1', 'cam-2'],
      ['cam-1', 'cam-2'],
    ]);
  });

  it('end() ends live tracks and keeps the counter', () => {
    const tracker = createIouAppearanceTracker(config({ credence_count: 1 }));
    run(tracker, [[faceAt(square(0, 0))]], 'a');
    run(tracker, [[faceAt(square(0, 0))]], 'b');
    expect(tracker.end().map((t) => t.id)).toEqual(['a-1', 'b-1']);
    expect(tracker.end()).toEqual([]);
    expect(run(tracker, [[faceAt(square(0, 0))]], 'a')).toEqual([['a-2']]);
  });
});
