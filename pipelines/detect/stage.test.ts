// The detect stage with scripted models: what it hands the models and what it forwards.
import { describe, expect, it } from 'vitest';
import type { DetectedFace, Frame, FrameDetections, RgbImage } from '../../schemas/records.ts';
import { mockContext } from '../runtime/testing/index.ts';
import { createDetectStage } from './stage.ts';

const image = (w: number, h: number): RgbImage => ({ width: w, height: h, data: new Uint8Array(w * h * 3) });

describe('detect stage', () => {
  it('hands the decoder’s detector-size image to detect() and forwards frame info without any pixels of it', async () => {
    const calls: Array<[RgbImage, RgbImage | undefined]> = [];
    const models = {
      concurrency: 2,
      detect: async (img: RgbImage, small?: RgbImage): Promise<DetectedFace[]> => {
        calls.push([img, small]);
        return [];
      },
    };
    const full = image(64, 48);
    const small = image(32, 24);
    const frames: Frame[] = [
      { camera: 'c', seq: 0, ts: 0, t_s: 0, width: 64, height: 48, image: full, detectorImage: small },
      { camera: 'c', seq: 1, ts: 40, t_s: 0.04, width: 64, height: 48, image: full },
    ];
    const ctx = mockContext<FrameDetections>();
    await createDetectStage({ models }).process(frames, ctx);
    expect(calls).toEqual([[full, small], [full, undefined]]);
    expect(ctx.forwarded.map((d) => d.frame)).toEqual([
      { camera: 'c', seq: 0, ts: 0, t_s: 0, width: 64, height: 48 },
      { camera: 'c', seq: 1, ts: 40, t_s: 0.04, width: 64, height: 48 },
    ]);
    expect(ctx.forwarded.every((d) => d.pixels.image === full)).toBe(true);
  });
});
