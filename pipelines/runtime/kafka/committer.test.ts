import { describe, expect, it } from 'vitest';
import { bySize, type OutgoingMessage } from './committer.ts';
import { partitionOf } from './partitioner.ts';

const msg = (bytes: number, key: string | null = null, topic = 't'): OutgoingMessage => ({ topic, key: key === null ? null : Buffer.from(key), value: Buffer.alloc(bytes) });
/** keys of partitions 0..3 of a 4-partition topic */
const keyOf = (partition: number) => Array.from({ length: 100 }, (_, i) => `cam-${i}`).find((k) => partitionOf(k, 4) === partition)!;

describe('bySize', () => {
  it('cuts sends so no request exceeds the limit, keeping order; a record larger than the limit goes alone', () => {
    const messages = [msg(400), msg(400), msg(400), msg(2000), msg(10)];
    const runs = bySize(messages, undefined, 1000);
    expect(runs.map((r) => r.map((m) => m.value!.length))).toEqual([[400, 400], [400], [2000], [10]]);
    expect(runs.flat()).toEqual(messages);
    expect(bySize([])).toEqual([]);
  });

  it("counts per partition where the topic's partitions are known, giving each keyed record the partitioner's partition", () => {
    const four = (topic: string) => (topic === 't' ? 4 : undefined);
    // 400 bytes + 64 of overhead each: two fit a partition's 1000, a third does not
    const messages = [0, 1, 2, 3, 0, 1, 2, 3, 0].map((p) => msg(400, keyOf(p)));
    const runs = bySize(messages, four, 1000);
    expect(runs.map((r) => r.length)).toEqual([8, 1]);
    expect(runs.flat().map((m) => m.partition)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
    // other topics (unknown partitions) count as one partition each
    expect(bySize([msg(400, 'a', 'u'), msg(400, 'b', 'u'), msg(400, 'c', 'v'), msg(400, 'd', 'u')], four, 1000).map((r) => r.length)).toEqual([3, 1]);
    // a keyless record may land in any partition: it counts against all of them
    expect(bySize([msg(400, keyOf(0)), msg(400), msg(400, keyOf(1)), msg(100, keyOf(2))], four, 1000).map((r) => r.length)).toEqual([4]);
    expect(bySize([msg(400, keyOf(0)), msg(400), msg(400, keyOf(1)), msg(100)], four, 1000).map((r) => r.length)).toEqual([3, 1]);
    // a record's own partition is kept
    expect(bySize([{ ...msg(10, keyOf(0)), partition: 3 }], four)[0]![0]!.partition).toBe(3);
  });
});
