import { describe, expect, it } from 'vitest';
import { bySize, type OutgoingMessage } from './committer.ts';

const msg = (bytes: number): OutgoingMessage => ({ topic: 't', key: null, value: Buffer.alloc(bytes) });

describe('bySize', () => {
  it('cuts sends so no request exceeds the limit, keeping order; a record larger than the limit goes alone', () => {
    const messages = [msg(400), msg(400), msg(400), msg(2000), msg(10)];
    const runs = bySize(messages, 1000);
    expect(runs.map((r) => r.map((m) => m.value!.length))).toEqual([[400, 400], [400], [2000], [10]]);
    expect(runs.flat()).toEqual(messages);
    expect(bySize([])).toEqual([]);
  });
});
