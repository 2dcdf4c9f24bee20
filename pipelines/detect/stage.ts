// Detect stage: a sampled frame in, the faces found in it out (with landmarks, pose estimate, quality), only inside
// the camera's region of tracking when it has one (region-of-tracking.ts).
import type { FaceModels } from '../../models/face-models.types.ts';
import type { Frame, FrameDetections } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { CameraSettingsView } from '../cameras/settings-view.ts';
import { detectInRegion } from './region-of-tracking.ts';

export interface DetectStageOptions {
  readonly models: Pick<FaceModels, 'detect' | 'concurrency'>;
  readonly name?: string;
  /** per-camera settings (the region of tracking), read per frame; default: the whole frame */
  readonly settings?: Pick<CameraSettingsView, 'get'>;
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
      const found = await Promise.all(
        frames.map((frame) => detectInRegion((image, small) => models.detect(image, small), frame.image, frame.detectorImage, options.settings?.get(frame.camera).rot ?? null)),
      );
      for (const [i, { image, detectorImage: _detectorImage, ...frame }] of frames.entries()) {
        // in process the tracker crops from the whole frame: no copy
        await ctx.forward({ frame, faces: found[i]!, pixels: { left: 0, top: 0, image } });
      }
    },
  };
}
