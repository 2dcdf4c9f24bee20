// Detect stage: a sampled frame in, the faces found in it out (with landmarks, pose estimate, quality).
import type { FaceModels } from '../../models/face-models.types.ts';
import type { Frame, FrameDetections } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';

export interface DetectStageOptions {
  readonly models: Pick<FaceModels, 'detect'>;
  readonly name?: string;
}

export function createDetectStage(options: DetectStageOptions): Stage<Frame, FrameDetections> {
  return {
    name: options.name ?? 'detect',
    async process(frames: readonly Frame[], ctx: StageContext<FrameDetections>): Promise<void> {
      for (const frame of frames) {
        const faces = await options.models.detect(frame.image);
        await ctx.forward({ frame, faces });
      }
    },
  };
}
