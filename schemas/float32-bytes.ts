// Vectors (embeddings, appearance descriptors) cross Kafka as Avro `bytes` holding float32 values, little-endian:
// an Avro array of floats costs tens of µs a record to read and write in JS, these a copy each way.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The vector's bytes, float32 little-endian (a view, no copy, on little-endian machines). */
export function float32ToBytes(v: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const out = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i]!, i * 4);
  return out;
}

/** A fresh, aligned Float32Array of float32 little-endian `bytes`; a length that is not a multiple of 4 is refused. */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw Object.assign(new RangeError(`a float32 vector of ${bytes.length} bytes: not a multiple of 4`), { retryable: false });
  const out = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/**
 * A Float32Array over `bytes` themselves when they lie 4-byte aligned (no copy), else a fresh copy. Only for bytes
 * nothing else writes or reuses, such as those of a value avsc decoded (its own slice of a 4 KiB pool slab, which
 * the vector then keeps alive): one allocation and one copy a vector less on every record read from Kafka.
 */
export function float32View(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return float32FromBytes(bytes);
}
