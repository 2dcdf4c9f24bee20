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
    // With N model workers, up to 3N frames at once: the worker pool hands each frame to the first free worker,
    // so a worker held up by an embedding does not leave the others idle until the batch ends. The runtime never
    // waits to fill a batch, so a live stream that keeps up still goes frame by frame.
    maxBatch: models.concurrency > 1 ? models.concurrency * 3 : 1,
    // and the next batch starts while this one's last frames are still on a worker
    batchesInFlight: models.concurrency > 1 ? 2 : 1,
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
