// Detect stage: a sampled frame in, the faces found in it out (with landmarks, pose estimate, quality).
import type { FaceModels } from '../../models/face-models.types.ts';
import type { Frame, FrameDetections } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';

export interface DetectStageOptions {
  readonly models: Pick<FaceModels, 'detect' | 'concurrency'>;
  readonly name?: string;
}

export function createDetectStage(options: DetectStageOptions): Stage<Frame, FrameDetections> {
  const { models } = options;
  return {
    name: options.name ?? 'detect',
    // A batch of N frames keeps N workers busy at once; the runtime never waits to fill it.
    maxBatch: Math.max(1, models.concurrency),
    async process(frames: readonly Frame[], ctx: StageContext<FrameDetections>): Promise<void> {
      // All frames of the batch are detected before any is forwarded: a failed batch is retried frame by
      // frame by the runtime, and nothing of it has gone downstream twice. Results go out in input order.
      const found = await Promise.all(frames.map((frame) => models.detect(frame.image, frame.detectorImage)));
      for (const [i, { image, detectorImage: _detectorImage, ...frame }] of frames.entries()) {
        // in process the tracker crops from the whole frame: no copy
        await ctx.forward({ frame, faces: found[i]!, pixels: { left: 0, top: 0, image } });
      }
    },
  };
}
