// Control records travel in-band, in the partition of the camera they concern, so they stay ordered after its
// data. They have a header naming the control and a null value; stages never see them, the runtime acts on them.
// Today there is one: end-of-stream (a file camera finished), which lets stateful stages end that camera's
// tracks and episodes as the embedded topology does at the end of its input. On a topic keyed by camera the
// marker goes to the camera's partition, after its data; on a topic keyed by something else (episodes, by
// scope) the camera's records may be in any partition, so the marker goes to every partition.
import type { IHeaders } from 'kafkajs';

export const CONTROL_HEADER = 'facestream-control';
export const END_OF_STREAM = 'end-of-stream';

export function endOfStreamHeaders(): IHeaders {
  return { [CONTROL_HEADER]: END_OF_STREAM };
}

/** The control a record carries, or null for a data record. */
export function controlOf(headers: IHeaders | undefined): string | null {
  const v = headers?.[CONTROL_HEADER];
  if (v === undefined) return null;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? null : first.toString();
}

/** The partitions an end-of-stream marker goes to: the key's own (undefined: the partitioner picks it) or all. */
export function markerPartitions(keyedBy: 'camera' | 'scope', partitions: number): ReadonlyArray<number | undefined> {
  return keyedBy === 'camera' ? [undefined] : Array.from({ length: partitions }, (_, p) => p);
}
