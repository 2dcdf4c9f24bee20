import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KAFKAJS_CRC32C, useNativeCrc32c } from './native-crc32c.ts';

const require = createRequire(import.meta.url);

describe('native CRC-32C for kafkajs', () => {
  it('gives kafkajs its own checksums, from the module kafkajs requires', () => {
    // kafkajs's JavaScript checksum: the table code its index module wraps (only the index is replaced)
    const crc32Table = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;
    const javascript = (b: Buffer) => crc32Table(b) >>> 0;
    expect(useNativeCrc32c()).toBe(true);
    expect(useNativeCrc32c()).toBe(true);
    const native = require(KAFKAJS_CRC32C) as (b: Buffer) => number;
    // the check value of CRC-32C (Castagnoli) for "123456789"
    expect(native(Buffer.from('123456789'))).toBe(0xe3069283);
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes((i * 131) % 9000);
      expect(native(bytes)).toBe(javascript(bytes));
    }
  });
});
