// Embeddings in a bytea: float32 values, little-endian, 4 bytes each (Debian's PostgreSQL has no pgvector).
export function vectorToBytes(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return out;
}

/** pg gives a Buffer, PGlite a Uint8Array; either may sit at any offset of a shared buffer. */
export function bytesToVector(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error(`an embedding of ${b.byteLength} bytes is not float32 values`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
