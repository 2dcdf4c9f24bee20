// Frame-to-frame noise of head pose, the landmark estimate (head-pose-estimate.ts, on every detection) against HopeNet
// (the headpose attribute head), with no ground truth needed: on every frame of the camera-density bench's 720p 25 fps
// clip of two people turning their heads (one face in each half of the frame), the true pose changes smoothly, so the
// RMS second difference from frame to frame, /√6 (white noise of σ gives 6σ²), measures each estimator's noise.
//   node bin/run-ts.js models/landmarks/bench-pose-jitter.ts
import '../../pipelines/ingest/promise-with-resolvers.ts';
import { ensureDensityClip } from '../../bench/camera-density.ts';
import { loadConfig } from '../../config/load.ts';
import { readVideo } from '../../pipelines/ingest/video-source.ts';
import { releaseFrame } from '../../pipelines/runtime/inproc/frame-pool.ts';
import { loadFaceModels } from '../face-models.ts';
const config = await loadConfig(undefined, {});
const models = await loadFaceModels({ detect: config.detect, intraOpThreads: 1, attributes: { ...config.attributes, headpose: true } });
const headposeOnly = { gender: false, age: false, emotions: false, eyes: false, liveness: false, headpose: true };
type Series = Array<readonly number[] | null>;
const sides = ['left', 'right'] as const;
const series = new Map(sides.map((side) => [side, { landmarks: [] as Series, hopenet: [] as Series }]));
const frames = readVideo(ensureDensityClip().path, { fps: 25, detectorSize: models.detectorInput });
for (let r = await frames.next(); !r.done; r = await frames.next()) {
  const { image, detectorImage } = r.value;
  const faces = await models.detect(image, detectorImage);
  const attrs = await models.attributes(faces.map((face) => ({ image, face })), headposeOnly);
  for (const side of sides) {
    const k = faces.findIndex((f) => ((f.box.x1 + f.box.x2) / 2 < image.width / 2) === (side === 'left'));
    const s = series.get(side)!;
    const est = faces[k]?.pose;
    const net = attrs[k]?.headpose;
    s.landmarks.push(est ? [est.yaw, est.pitch, est.roll] : null);
    s.hopenet.push(net ? [net.yaw, net.pitch, net.roll] : null);
  }
  releaseFrame(image);
}

/** RMS second difference / √6 of component `c`, over runs of three frames with a face. */
function noise(xs: Series, c: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 1; i + 1 < xs.length; i++) {
    const [a, b, d] = [xs[i - 1], xs[i], xs[i + 1]];
    if (!a || !b || !d) continue;
    sum += (a[c]! - 2 * b[c]! + d[c]!) ** 2;
    n++;
  }
  return Math.sqrt(sum / n / 6);
}

console.log('| face | estimator | frames | yaw noise (°) | pitch | roll |');
console.log('|---|---|---|---|---|---|');
for (const [side, s] of series) {
  for (const [name, xs] of Object.entries(s)) {
    console.log(`| ${side} | ${name} | ${xs.filter(Boolean).length} | ${[0, 1, 2].map((c) => noise(xs, c).toFixed(2)).join(' | ')} |`);
  }
}
await models.close();
