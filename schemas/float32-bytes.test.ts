import { describe, expect, it } from 'vitest';
import { float32FromBytes, float32ToBytes, float32View } from './float32-bytes.ts';

describe('float32 vectors as bytes', () => {
  it('round-trips exactly, little-endian, from an unaligned slice too', () => {
    const v = Float32Array.from([1, -0.5, 0.1, 3e-8]);
    const bytes = float32ToBytes(v);
    expect(bytes.length).toBe(16);
    expect(bytes.readFloatLE(4)).toBe(-0.5);
    const unaligned = Buffer.concat([Buffer.from([9]), bytes]).subarray(1);
    expect(float32FromBytes(unaligned)).toEqual(v);
  });

  it('refuses a length that is not a multiple of 4, as a record error that is not retried', () => {
    expect(() => float32FromBytes(new Uint8Array(6))).toThrow(expect.objectContaining({ message: expect.stringMatching(/not a multiple of 4/), retryable: false }));
  });

  it('views aligned bytes without a copy, copies unaligned ones', () => {
    const bytes = float32ToBytes(Float32Array.from([1, 2, 3]));
    const aligned = Buffer.concat([Buffer.alloc(4), bytes]).subarray(4);
    const view = float32View(aligned);
    expect(view).toEqual(Float32Array.from([1, 2, 3]));
    expect(view.buffer).toBe(aligned.buffer);
    const unaligned = Buffer.concat([Buffer.alloc(1), bytes]).subarray(1);
    const copy = float32View(unaligned);
    expect(copy).toEqual(Float32Array.from([1, 2, 3]));
    expect(copy.buffer).not.toBe(unaligned.buffer);
    expect(() => float32View(new Uint8Array(6))).toThrow(/not a multiple of 4/);
  });
});
