// kafkajs computes the CRC-32C of every record batch it produces in JavaScript, a table lookup per byte: 7–9 % of a
// match process's time over Kafka (V8 profiles of `bench/kafka.ts --stages match`, exactly-once). @node-rs/crc32
// computes the same checksum natively (SSE4.2), ~60× faster (0.3 ms → 5 µs for 60 KB). kafkajs takes no checksum
// function as an option, so its module is put into the CommonJS cache before kafkajs first requires it, which it
// does on its first produce. The values are kafkajs's own (native-crc32c.test.ts), and the broker checks every
// batch's CRC on arrival, so a wrong one could not pass unnoticed.
import Module, { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';

const require = createRequire(import.meta.url);

/** kafkajs's CRC-32C module (unsigned 32-bit checksum of a Buffer) and the record batch encoder that reads it. */
export const KAFKAJS_CRC32C = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
const KAFKAJS_RECORD_BATCH = require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js');

/**
 * Makes kafkajs checksum record batches natively; false when too late: a record batch encoder already loaded (the
 * process produced before this call) keeps the JavaScript checksum, which stays correct, only slower.
 */
export function useNativeCrc32c(): boolean {
  if (require.cache[KAFKAJS_CRC32C]?.exports === crc32c) return true;
  if (require.cache[KAFKAJS_RECORD_BATCH]) return false;
  const entry = new Module(KAFKAJS_CRC32C);
  entry.filename = KAFKAJS_CRC32C;
  entry.loaded = true;
  entry.exports = crc32c;
  require.cache[KAFKAJS_CRC32C] = entry;
  return true;
}
