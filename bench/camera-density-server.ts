// The camera-density bench's cameras: the RTSP server the ingest tests use (pipelines/ingest/testing/rtsp-server.ts)
// serving one H.264 file over RTSP/TCP in real time, looped, without re-encoding; every client that connects gets
// its own stream from the start. A process of its own, so the bench counts its CPU apart from facestream's.
//
//   node bin/run-ts.js bench/camera-density-server.ts <clip.mp4>     → prints "READY rtsp://127.0.0.1:<port>/cam"
import { startTestRtspServer } from '../pipelines/ingest/testing/rtsp-server.ts';

const clip = process.argv[2];
if (!clip) {
  console.error('usage: node bin/run-ts.js bench/camera-density-server.ts <clip.mp4>');
  process.exit(2);
}
const server = await startTestRtspServer({ clip });
console.log(`READY ${server.url}`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
