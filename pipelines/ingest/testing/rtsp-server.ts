// A small RTSP server for tests: serves one MP4's H.264 track in real time over RTSP with TCP interleaving
// (RTP/AVP/TCP), as IP cameras do. Being ours, it can freeze or hang up on cue, which tests of the stalled and
// ended_early paths need; GStreamer's server (gst-rtsp-server.js) is the independent check of the same path.
import '../promise-with-resolvers.ts';
import { createServer, type Server, type Socket } from 'node:net';
import { Demuxer } from 'node-av/api';
import { interleaved, packetizeAccessUnit, parseAvcC, rtpPacket, sdpFmtp, splitNals, type ParameterSets } from './rtp-h264.ts';

interface Sample {
  /** decode time, seconds from the first sample: when to send */
  readonly dts: number;
  /** presentation time, seconds: the RTP timestamp */
  readonly pts: number;
  readonly data: Buffer;
  readonly key: boolean;
}

const RTP_TS_ORIGIN = 0x1234_5678;

export interface TestRtspServer {
  /** rtsp://127.0.0.1:<port>/<path> */
  readonly url: string;
  /** RTP/AVP/TCP sessions played so far */
  readonly sessions: number;
  /** Keeps connections open but sends nothing more (a frozen camera). */
  stall(): void;
  /** Closes every client connection (a camera rebooting). */
  hangUp(): void;
  close(): Promise<void>;
}

export interface TestRtspServerOptions {
  readonly clip: string;
  readonly path?: string;
  /** play the clip this many times, then hang up; default: forever */
  readonly loops?: number;
}

async function loadSamples(clip: string): Promise<{ samples: Sample[]; ps: ParameterSets; duration: number }> {
  const demuxer = await Demuxer.open(clip);
  try {
    const video = demuxer.video();
    const extradata = video?.codecpar.extradata;
    if (video === undefined || extradata === null || extradata === undefined) throw new Error(`${clip}: no H.264 video with avcC`);
    const tb = video.timeBase;
    const samples: Sample[] = [];
    for await (const pkt of demuxer.packets(video.index)) {
      if (pkt === null) break;
      const data = pkt.data;
      if (data !== null) {
        samples.push({ dts: (Number(pkt.dts) * tb.num) / tb.den, pts: (Number(pkt.pts) * tb.num) / tb.den, data: Buffer.from(data), key: pkt.isKeyframe });
      }
      pkt.free();
    }
    const last = samples[samples.length - 1];
    const step = samples.length > 1 ? (last?.dts ?? 0) / (samples.length - 1) : 0.04;
    return { samples, ps: parseAvcC(extradata), duration: (last?.dts ?? 0) + step };
  } finally {
    await demuxer.close();
  }
}

export async function startTestRtspServer(options: TestRtspServerOptions): Promise<TestRtspServer> {
  const { samples, ps, duration } = await loadSamples(options.clip);
  const path = options.path ?? 'cam';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stalled = false;
  let sessions = 0;
  let url = '';

  const sdp = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=facestream test camera',
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'a=control:*',
    'm=video 0 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    `a=fmtp:96 ${sdpFmtp(ps)}`,
    'a=control:track0',
    '',
  ].join('\r\n');

  function play(socket: Socket): void {
    sessions++;
    const ssrc = 0x5ee0_0000 + sessions;
    let seq = 0;
    let i = 0;
    let loop = 0;
    const start = performance.now();
    const sendNext = (): void => {
      if (stalled || socket.destroyed) return;
      if (i === samples.length) {
        i = 0;
        loop++;
        if (options.loops !== undefined && loop >= options.loops) {
          socket.end();
          return;
        }
      }
      const s = samples[i++]!;
      const offset = loop * duration;
      const nals = splitNals(s.data, ps.lengthSize);
      // Parameter sets in-band before each key frame, as cameras do, so a late joiner can start there.
      const payloads = packetizeAccessUnit(s.key ? [ps.sps, ps.pps, ...nals] : nals);
      // RFC 3550 wants a random initial timestamp, and FFmpeg takes an RTP timestamp of exactly 0 for "no base
      // yet" (it would re-base on the next packet and shift every pts), so start far from 0 as cameras do.
      const rtpTs = RTP_TS_ORIGIN + Math.round((s.pts + offset) * 90_000);
      payloads.forEach((p, k) => socket.write(interleaved(0, rtpPacket(p, seq++, rtpTs, ssrc, k === payloads.length - 1))));
      const next = samples[i] ?? samples[0]!;
      const dueMs = ((i === samples.length ? duration * (loop + 1) : next.dts + offset) * 1000) - (performance.now() - start);
      const t = setTimeout(() => {
        timers.delete(t);
        sendNext();
      }, Math.max(0, dueMs));
      timers.add(t);
    };
    sendNext();
  }

  function respond(socket: Socket, cseq: string, status: string, headers: Record<string, string> = {}, body = ''): void {
    const lines = [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  }

  function handle(socket: Socket, head: string): void {
    const [requestLine = '', ...headerLines] = head.split('\r\n');
    const [method = '', target = ''] = requestLine.split(' ');
    const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const cseq = headers.get('cseq') ?? '0';
    if (!target.includes(`/${path}`) && method !== 'OPTIONS') return respond(socket, cseq, '404 Not Found');
    switch (method) {
      case 'OPTIONS':
        return respond(socket, cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER' });
      case 'DESCRIBE':
        return respond(socket, cseq, '200 OK', { 'Content-Base': `${url}/`, 'Content-Type': 'application/sdp' }, sdp);
      case 'SETUP':
        if (!(headers.get('transport') ?? '').includes('RTP/AVP/TCP')) return respond(socket, cseq, '461 Unsupported Transport');
        return respond(socket, cseq, '200 OK', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Session: '5ee0;timeout=60' });
      case 'PLAY':
        respond(socket, cseq, '200 OK', { Session: '5ee0', Range: 'npt=0.000-' });
        return play(socket);
      case 'GET_PARAMETER':
      case 'TEARDOWN':
        return respond(socket, cseq, '200 OK', { Session: '5ee0' });
      default:
        return respond(socket, cseq, '405 Method Not Allowed');
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        // The client interleaves its RTCP receiver reports ('$' frames) with requests; skip them.
        if (buf[0] === 0x24) {
          if (buf.length < 4 || buf.length < 4 + buf.readUInt16BE(2)) return;
          buf = buf.subarray(4 + buf.readUInt16BE(2));
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const bodyLen = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + bodyLen) return;
        buf = buf.subarray(end + 4 + bodyLen);
        handle(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test RTSP server has no port');
  url = `rtsp://127.0.0.1:${address.port}/${path}`;

  return {
    url,
    get sessions() {
      return sessions;
    },
    stall: () => {
      stalled = true;
    },
    hangUp: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
