// H.264 over RTP (RFC 6184) for the test RTSP server: parameter sets from the MP4 avcC box for the SDP, and
// access units cut into RTP packets (single NAL units, FU-A fragments for big ones).

export interface ParameterSets {
  readonly sps: Buffer;
  readonly pps: Buffer;
  /** bytes of each NAL length prefix in the MP4 samples */
  readonly lengthSize: number;
}

/** avcC = version, profile, compat, level, 0xFC|lengthSize-1, 0xE0|nSPS, (u16 len, SPS)…, nPPS, (u16 len, PPS)… */
export function parseAvcC(avcC: Buffer): ParameterSets {
  const lengthSize = (avcC[4]! & 0x03) + 1;
  let o = 6;
  const spsLen = avcC.readUInt16BE(o);
  const sps = avcC.subarray(o + 2, o + 2 + spsLen);
  o += 2 + spsLen + 1;
  const ppsLen = avcC.readUInt16BE(o);
  const pps = avcC.subarray(o + 2, o + 2 + ppsLen);
  return { sps, pps, lengthSize };
}

export function sdpFmtp(ps: ParameterSets): string {
  const profileLevelId = ps.sps.subarray(1, 4).toString('hex');
  return `packetization-mode=1;profile-level-id=${profileLevelId};sprop-parameter-sets=${ps.sps.toString('base64')},${ps.pps.toString('base64')}`;
}

/** The NAL units of one MP4 sample (length-prefixed). */
export function splitNals(sample: Buffer, lengthSize: number): Buffer[] {
  const nals: Buffer[] = [];
  for (let o = 0; o + lengthSize <= sample.length; ) {
    const len = sample.readUIntBE(o, lengthSize);
    nals.push(sample.subarray(o + lengthSize, o + lengthSize + len));
    o += lengthSize + len;
  }
  return nals;
}

const MAX_PAYLOAD = 1400;

/** RTP payloads for one access unit, in order; the last one carries the marker bit. */
export function packetizeAccessUnit(nals: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const nal of nals) {
    if (nal.length <= MAX_PAYLOAD) {
      out.push(nal);
      continue;
    }
    const indicator = (nal[0]! & 0xe0) | 28;
    const type = nal[0]! & 0x1f;
    for (let o = 1; o < nal.length; o += MAX_PAYLOAD - 2) {
      const end = Math.min(nal.length, o + MAX_PAYLOAD - 2);
      const header = (o === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
      out.push(Buffer.concat([Buffer.from([indicator, header]), nal.subarray(o, end)]));
    }
  }
  return out;
}

export function rtpPacket(payload: Buffer, seq: number, timestamp: number, ssrc: number, marker: boolean): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | 96;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** RTSP interleaved frame: '$', channel, u16 length, data (RFC 2326 §10.12). */
export function interleaved(channel: number, data: Buffer): Buffer {
  const h = Buffer.from([0x24, channel, 0, 0]);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}
