import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, murmur2 } from './partitioner.ts';

const partitions = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe('the Java-compatible partitioner', () => {
  it("hashes like kafkajs's DefaultPartitioner (Kafka's murmur2) for keys of every length and byte value", () => {
    const theirs = Partitioners.DefaultPartitioner();
    const ours = javaCompatiblePartitioner();
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
    for (let n = 0; n < 3000; n++) {
      const key = Buffer.from(Array.from({ length: n % 45 }, random));
      for (const count of [1, 4, 7, 64]) {
        const args = { topic: 't', partitionMetadata: partitions(count), message: { key, value: null } };
        expect(ours(args)).toBe(theirs(args));
      }
    }
    for (const key of ['cam-1', 'entrance', '', 'камера-7']) {
      const args = { topic: 't', partitionMetadata: partitions(4), message: { key, value: null } };
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it("matches Kafka's own murmur2 values", () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('keeps a named partition, and spreads keyless messages round-robin over the partitions with a leader', () => {
    const ours = javaCompatiblePartitioner();
    expect(ours({ topic: 't', partitionMetadata: partitions(4), message: { key: 'x', value: null, partition: 3 } })).toBe(3);
    const seen = Array.from({ length: 6 }, () => ours({ topic: 't', partitionMetadata: partitions(4, [1]), message: { value: null } }));
    expect(new Set(seen)).toEqual(new Set([0, 2, 3]));
    expect(seen[3]).toBe(seen[0]);
  });
});
