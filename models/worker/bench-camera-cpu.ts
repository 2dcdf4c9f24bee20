// CPU time of each piece of a live camera's work, per call, on the camera-density bench's 720p 25 fps clip
// (bench/camera-density.ts makes it): decoding every frame, converting a sampled one (the frame and the detector's
// image), detect() on it, and embed() and attributes() on its faces, as the serve config and the embed stage run
// them. Everything runs on this thread with one ONNX intra-op thread, so process.cpuUsage() around a call is that
// call's CPU, whatever else the machine runs (it still slows each call a little: caches are shared). Multiply by
// the rates a camera calls them at (models/worker/README.md) for its CPU a second.
//   node bin/run-ts.js models/worker/bench-camera-cpu.ts [rounds=3]
import '../../pipelines/ingest/promise-with-resolvers.ts';
import { ensureDensityClip } from '../../bench/camera-density.ts';
import { loadConfig } from '../../config/load.ts';
import { readVideo, type DecodedFrame, type ReadVideoOptions } from '../../pipelines/ingest/video-source.ts';
import { releaseFrame } from '../../pipelines/runtime/inproc/frame-pool.ts';
import { loadFaceModels } from '../face-models.ts';
import type { FaceInImage } from '../face-models.types.ts';
import { planAttributes } from '../../pipelines/embed/track-attributes.ts';

/** CPU ms of `fn` */
async function cpuMs(fn: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** CPU ms of reading the whole clip, and how many frames were decoded and emitted */
async function readCpu(clip: string, opts: ReadVideoOptions, keep?: DecodedFrame[]): Promise<{ ms: number; decoded: number; emitted: number }> {
  let decoded = 0;
  let emitted = 0;
  const ms = await cpuMs(async () => {
    const frames = readVideo(clip, opts);
    for (let r = await frames.next(); ; r = await frames.next()) {
      if (r.done) {
        ({ decoded, emitted } = r.value);
        return;
      }
      if (keep) keep.push(r.value);
      else releaseFrame(r.value.image);
    }
  });
  return { ms, decoded, emitted };
}

const rounds = Number(process.argv[2] ?? 3);
const clip = ensureDensityClip().path;
const config = await loadConfig(undefined, {});
const models = await loadFaceModels({ detect: config.detect, intraOpThreads: 1, attributes: config.attributes, embedBatchSize: config.embed.batch_size });
const plan = planAttributes(config.attributes, config.embed);
const detectorSize = models.detectorInput;
if (!detectorSize) throw new Error('the detector takes no whole-frame input; this bench assumes one');
const sampled: DecodedFrame[] = [];
await readCpu(clip, { fps: 5, detectorSize }, sampled);
const row = (what: string, per: string, ms: number, n: number) => console.log(`| ${what} | ${per} | ${(ms / n).toFixed(2)} | ${n} |`);
console.log(`${clip}; ${rounds} rounds; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
console.log('| piece | per | CPU ms | calls |');
console.log('|---|---|---|---|');
for (let r = 0; r < rounds; r++) {
  // a sampler that keeps the first frame only: decoding is what is left
  const decode = await readCpu(clip, { fps: 0.001, detectorSize });
  const sample = await readCpu(clip, { fps: 5, detectorSize });
  row('decode (every frame)', 'decoded frame', decode.ms, decode.decoded);
  row('convert to RGB 1280×720 + detector input', 'sampled frame', sample.ms - decode.ms, sample.emitted - decode.emitted);
  const faces: FaceInImage[] = [];
  const detect = await cpuMs(async () => {
    for (const f of sampled) for (const face of await models.detect(f.image, f.detectorImage)) faces.push({ image: f.image, face });
  });
  row(`detect() (${(faces.length / sampled.length).toFixed(1)} faces a frame)`, 'sampled frame', detect, sampled.length);
  // posts come a track at a time, two tracks in a window: calls of two faces
  const pairs = Array.from({ length: Math.floor(faces.length / 2) }, (_, i) => faces.slice(2 * i, 2 * i + 2));
  row('embed()', 'face', await cpuMs(async () => { for (const p of pairs) await models.embed(p); }), 2 * pairs.length);
  // as the embed stage runs them (pipelines/embed/track-attributes.ts): the person's heads when a track's attributes
  // are extracted, the shot's on every post (none with the defaults: head pose comes from detect's landmarks)
  for (const [what, which] of [['person', plan.track], ['shot', plan.shot]] as const) {
    if (which) row(`attributes(): the ${what}'s heads (${Object.keys(which).filter((k) => which[k as keyof typeof which]).join(', ')})`, 'face', await cpuMs(async () => { for (const p of pairs) await models.attributes(p, which); }), 2 * pairs.length);
  }
}
await models.close();
