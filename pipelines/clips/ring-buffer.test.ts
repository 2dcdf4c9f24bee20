import { describe, expect, it } from 'vitest';
import { PacketRing, type RingPacket } from './ring-buffer.ts';

/** `seconds` of packets at `fps`, a keyframe every `gop` packets, each `bytes` long. */
function stream(seconds: number, fps: number, gop: number, bytes = 100): RingPacket[] {
  return Array.from({ length: Math.round(seconds * fps) }, (_, i) => ({ t: i / fps, keyframe: i % gop === 0, bytes }));
}

function filled(ring: PacketRing<RingPacket>, packets: readonly RingPacket[]): PacketRing<RingPacket> {
  for (const p of packets) ring.push(p);
  return ring;
}

describe('PacketRing', () => {
  it('keeps the last seconds from the keyframe at or before them', () => {
    const ring = filled(new PacketRing(3, 1e9), stream(10, 10, 10));
    // newest 9.9: 3 s back is 6.9, whose GOP starts at 6.0
    expect(ring.start).toBe(6);
    expect(ring.length).toBe(40);
    expect(ring.bytes).toBe(4000);
  });

  it('drops packets until the first keyframe', () => {
    const ring = filled(new PacketRing(3, 1e9), stream(2, 10, 10).slice(3));
    expect(ring.start).toBe(1);
    expect(ring.length).toBe(10);
  });

  it('from(t) starts at the last keyframe at or before t, else at the oldest packet', () => {
    const ring = filled(new PacketRing(5, 1e9), stream(10, 10, 10));
    expect(ring.start).toBe(4);
    expect(ring.from(7.5)[0]).toEqual({ t: 7, keyframe: true, bytes: 100 });
    expect(ring.from(7)[0]!.t).toBe(7);
    expect(ring.from(1)[0]!.t).toBe(4);
    expect(ring.from(7.5).at(-1)!.t).toBeCloseTo(9.9);
  });

  it('stays under its byte cap by dropping whole GOPs, and empties when one GOP is larger', () => {
    const ring = filled(new PacketRing(60, 2500), stream(10, 10, 10));
    // GOPs of 1000 bytes: the last two fit
    expect(ring.bytes).toBe(2000);
    expect(ring.start).toBe(8);
    const big = filled(new PacketRing(60, 500), stream(2, 10, 10));
    // the second GOP outgrew the cap before its end: it was dropped, and nothing follows a keyframe since
    expect(big.length).toBe(0);
    big.push({ t: 2, keyframe: true, bytes: 100 });
    expect(big.start).toBe(2);
  });

  it('measures the window from the newest time, whatever the order (B-frames)', () => {
    const ring = new PacketRing(1, 1e9);
    for (const t of [0, 0.3, 0.1, 0.2, 1, 1.3, 1.1, 1.2, 2, 2.3, 2.1]) ring.push({ t, keyframe: Number.isInteger(t), bytes: 1 });
    expect(ring.start).toBe(1);
  });

  it('clear() forgets everything', () => {
    const ring = filled(new PacketRing(3, 1e9), stream(2, 10, 10));
    ring.clear();
    expect([ring.length, ring.bytes, ring.start]).toEqual([0, 0, null]);
  });
});
