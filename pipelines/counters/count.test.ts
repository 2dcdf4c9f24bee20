import { describe, expect, it } from 'vitest';
import type { Box } from '../../schemas/generated/avro-types.ts';
import { parseRegion } from '../track/box.ts';
import { countFrame, type CounterCamera, type CounterSlots } from './count.ts';

const box = (cx: number, cy: number, half = 10): Box => ({ x1: cx - half, y1: cy - half, x2: cx + half, y2: cy + half });
const frame = (seq: number, ts: number, centres: Array<[number, number]>) => ({
  frame: { camera: 'cam', seq, ts, t_s: ts / 1000, width: 400, height: 300, frameRef: `cam/${seq}.jpg` },
  faces: centres.map(([x, y]) => ({ box: box(x, y) })),
});
const counter = (id: string, intervalS: number, roi = ''): CounterCamera => ({ counter: id, counterName: `name-${id}`, intervalMs: intervalS * 1000, roi: parseRegion(roi), cameraGroup: '7' });

/** Runs frames through countFrame as the stage does, returning every record. */
function run(frames: ReturnType<typeof frame>[], counters: CounterCamera[]) {
  let slots: CounterSlots = new Map();
  return frames.flatMap((f) => {
    const step = countFrame(slots, f, counters);
    slots = step.slots;
    return step.records;
  });
}

describe('counting faces per interval', () => {
  it('takes the first frame of every interval slot and counts all its faces', () => {
    // frames every 400 ms over 5 s, a face appearing at 2 s
    const frames = Array.from({ length: 13 }, (_, i) => frame(i, 10_000 + i * 400, i >= 5 ? [[100, 100], [300, 200]] : []));
    const records = run(frames, [counter('c1', 2)]);
    expect(records.map((r) => [r.seq, r.facesCount])).toEqual([
      [0, 0], // slot 10 000
      [5, 2], // slot 12 000: first frame at 12 000
      [10, 2], // slot 14 000: frame at 14 000
    ]);
    expect(records[1]).toEqual({
      id: 'c1:cam:12000',
      counter: 'c1',
      counterName: 'name-c1',
      camera: 'cam',
      cameraGroup: '7',
      ts: 12_000,
      seq: 5,
      frameRef: 'cam/5.jpg',
      frameWidth: 400,
      frameHeight: 300,
      facesCount: 2,
      facesBbox: [box(100, 100), box(300, 200)],
    });
  });

  it('counts only faces whose centre lies in the ROI', () => {
    const f = frame(0, 0, [[100, 100], [300, 200], [205, 95]]);
    const [left, right, none] = ['200x300+0+0', '200x300+200+0', '10x10+0+0'].map((roi, i) => run([f], [counter(`r${i}`, 1, roi)]));
    expect(left?.map((r) => r.facesCount)).toEqual([1]);
    expect(right?.map((r) => r.facesBbox)).toEqual([[box(300, 200), box(205, 95)]]);
    expect(none?.map((r) => [r.facesCount, r.facesBbox])).toEqual([[0, []]]);
  });

  it('keeps each counter on its own interval, and a frame older than the last slot gives nothing', () => {
    const frames = [frame(0, 0, []), frame(1, 1000, []), frame(2, 2500, []), frame(3, 1500, []), frame(4, 3000, [])];
    const records = run(frames, [counter('fast', 1), counter('slow', 3)]);
    expect(records.map((r) => r.id)).toEqual(['fast:cam:0', 'slow:cam:0', 'fast:cam:1000', 'fast:cam:2000', 'fast:cam:3000', 'slow:cam:3000']);
  });

  it('leaves the slots object alone when nothing is due (the stage saves only changes)', () => {
    const slots: CounterSlots = new Map([['c1', 10_000]]);
    const step = countFrame(slots, frame(1, 10_500, []), [counter('c1', 1)]);
    expect(step.records).toEqual([]);
    expect(step.slots).toBe(slots);
  });
});
