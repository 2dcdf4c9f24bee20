// FindFace's counters are time slices: every `interval` seconds a counter takes a "screenshot" of each of its
// cameras and counts the faces in it (inside the counter's ROI for that camera); the record says how many there were
// then, not how many passed. Here the screenshot is the first detected frame of the camera in each interval slot
// (slots aligned to the epoch, so a record's id names its slot and a replay after a restart rewrites the same
// record). Pure: (slots taken so far, one frame's detections, the camera's counters) → (slots, records).
import type { Box, CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { FrameDetections } from '../../schemas/records.ts';
import { centreInside, type Region } from '../track/box.ts';

/** One counter as it applies to one camera. */
export interface CounterCamera {
  readonly counter: string;
  readonly counterName: string;
  /** interval between two screenshots, ms */
  readonly intervalMs: number;
  /** faces count when their centre lies inside; null = the whole frame */
  readonly roi: Region | null;
  readonly cameraGroup: string | null;
}

/** Per counter: the start (ms) of the last slot a record was taken in, for one camera. */
export type CounterSlots = ReadonlyMap<string, number>;

export interface CountStep {
  readonly slots: CounterSlots;
  readonly records: readonly CounterRecord[];
}

/** The start of the interval slot holding `ts`. */
export const slotStart = (ts: number, intervalMs: number): number => Math.floor(ts / intervalMs) * intervalMs;

/** The faces a counter with `roi` counts. */
export function facesInRoi(faces: readonly { readonly box: Box }[], roi: Region | null): Box[] {
  return faces.filter((f) => centreInside(f.box, roi)).map((f) => ({ x1: f.box.x1, y1: f.box.y1, x2: f.box.x2, y2: f.box.y2 }));
}

export function counterRecordId(counter: string, camera: string, slot: number): string {
  return `${counter}:${camera}:${slot}`;
}

/**
 * The records `detections` gives for the camera's `counters`: one per counter whose current slot has no record yet.
 * A frame older than the last slot taken (a camera's stream going back) gives nothing for that counter.
 */
export function countFrame(slots: CounterSlots, detections: Pick<FrameDetections, 'frame'> & { readonly faces: readonly { readonly box: Box }[] }, counters: readonly CounterCamera[]): CountStep {
  const { frame } = detections;
  let next: Map<string, number> | undefined;
  const records: CounterRecord[] = [];
  for (const c of counters) {
    const slot = slotStart(frame.ts, c.intervalMs);
    const last = slots.get(c.counter);
    if (last !== undefined && slot <= last) continue;
    const boxes = facesInRoi(detections.faces, c.roi);
    records.push({
      id: counterRecordId(c.counter, frame.camera, slot),
      counter: c.counter,
      counterName: c.counterName,
      camera: frame.camera,
      cameraGroup: c.cameraGroup,
      ts: frame.ts,
      seq: frame.seq,
      frameRef: frame.frameRef ?? null,
      frameWidth: frame.width,
      frameHeight: frame.height,
      facesCount: boxes.length,
      facesBbox: boxes,
    });
    (next ??= new Map(slots)).set(c.counter, slot);
  }
  return { slots: next ?? slots, records };
}
