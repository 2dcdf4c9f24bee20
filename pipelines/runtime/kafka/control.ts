// Control records travel in-band, in the partition of the camera they concern, so they stay ordered after its
// data. They have a header naming the control, the camera as key and a null value; stages never see them as
// records, the runtime acts on them. Two exist:
// - end-of-stream: a file camera finished. Every stage passes it on after what it emitted for that camera, and
//   stateful stages end that camera's tracks and episodes as the embedded topology does at the end of its input.
//   On a topic keyed by camera the marker goes to the camera's partition, after its data; on a topic keyed by
//   something else (episodes, by scope) the camera's records may be in any partition, so it goes to every one.
// - idle: the camera went quiet (runtime/stage.ts CameraIdle), with the camera's time in a second header. Ingest
//   sends it; it is passed on to the first stage that acts on it (track, which ends the camera's tracks) and no
//   further, so topics after track never carry it.
import type { IHeaders } from 'kafkajs';
import type { CameraIdle } from '../stage.ts';

export const CONTROL_HEADER = 'facestream-control';
export const END_OF_STREAM = 'end-of-stream';
export const IDLE = 'idle';
/** the CameraIdle's ts, ms since the epoch as decimal digits */
export const TS_HEADER = 'facestream-ts';

export function endOfStreamHeaders(): IHeaders {
  return { [CONTROL_HEADER]: END_OF_STREAM };
}

export function idleHeaders(ts: number): IHeaders {
  return { [CONTROL_HEADER]: IDLE, [TS_HEADER]: String(Math.round(ts)) };
}

function header(headers: IHeaders | undefined, name: string): string | null {
  const v = headers?.[name];
  if (v === undefined) return null;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? null : first.toString();
}

/** The control a record carries, or null for a data record. */
export function controlOf(headers: IHeaders | undefined): string | null {
  return header(headers, CONTROL_HEADER);
}

/** The CameraIdle an idle marker of `camera` carries; throws (the record is dead-lettered) when its ts is unreadable. */
export function idleOf(camera: string, headers: IHeaders | undefined): CameraIdle {
  const ts = Number(header(headers, TS_HEADER) ?? Number.NaN);
  if (!Number.isFinite(ts)) throw Object.assign(new Error(`idle marker of ${camera} has no ${TS_HEADER} header`), { retryable: false });
  return { camera, ts };
}

/** The partitions an end-of-stream marker goes to: the key's own (undefined: the partitioner picks it) or all. */
export function markerPartitions(keyedBy: 'camera' | 'scope', partitions: number): ReadonlyArray<number | undefined> {
  return keyedBy === 'camera' ? [undefined] : Array.from({ length: partitions }, (_, p) => p);
}
