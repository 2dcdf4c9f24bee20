// Minimal BMP decoder: the prebuilt libvips inside sharp has no BMP loader (it needs ImageMagick), yet BMP is
// among the formats FindFace accepts. Handles the common cases — uncompressed 24- and 32-bit, bottom-up or
// top-down, and BI_BITFIELDS 32-bit with the standard masks; anything else is reported as unsupported.
import type { RgbImage } from '../../schemas/records.ts';

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d;
}

/** Throws Error with a human message on anything it cannot decode. */
export function decodeBmp(buf: Uint8Array): RgbImage {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 54) throw new Error('BMP header truncated');
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  if (headerSize < 40) throw new Error('OS/2 BMP headers are not supported');
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error('BMP has no pixels');
  if (bpp !== 24 && bpp !== 32) throw new Error(`${bpp}-bit BMP is not supported (24 or 32 bit only)`);
  if (compression !== 0 && !(compression === 3 && bpp === 32)) throw new Error('compressed BMP is not supported');
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > buf.length) throw new Error('BMP pixel data truncated');
  const bytes = bpp / 8;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const s = row + x * bytes;
      const o = (y * width + x) * 3;
      // stored B, G, R(, A)
      out[o] = buf[s + 2]!;
      out[o + 1] = buf[s + 1]!;
      out[o + 2] = buf[s]!;
    }
  }
  return { width, height, data: out };
}
