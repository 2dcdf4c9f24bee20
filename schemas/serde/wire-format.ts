// Confluent's wire format for a Kafka record key or value, the framing every Confluent serializer and
// deserializer uses (docs.confluent.io, "Wire format"):
//
//   Bytes  Area        Description
//   0      Magic Byte  Confluent serialization format version number; currently always 0.
//   1-4    Schema ID   4-byte schema ID as returned by Schema Registry (big-endian).
//   5-...  Data        Serialized data for the specified schema format (for Avro: the binary encoding, no
//                      container file header).
import { WireFormatError } from './errors.ts';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

/** Magic byte, schema id, Avro body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  writeHeader(out, schemaId);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** The magic byte and schema id into HEADER_BYTES of `out` from `at` (a body written after them). */
export function writeHeader(out: Buffer, schemaId: number, at = 0): void {
  out.writeUInt8(MAGIC_BYTE, at);
  out.writeInt32BE(schemaId, at + 1);
}

export interface Unframed {
  readonly schemaId: number;
  /** the Avro body, a view into the input */
  readonly body: Buffer;
}

/** Splits a framed record; throws WireFormatError `too_short` or `bad_magic_byte`. */
export function unframe(buf: Buffer): Unframed {
  if (buf.length < HEADER_BYTES) {
    throw new WireFormatError('too_short', `${buf.length} bytes, fewer than the ${HEADER_BYTES}-byte Confluent header (magic byte + schema id)`);
  }
  const magic = buf.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new WireFormatError('bad_magic_byte', `magic byte ${magic}, expected ${MAGIC_BYTE}: not in Confluent wire format`);
  }
  return { schemaId: buf.readInt32BE(1), body: buf.subarray(HEADER_BYTES) };
}
