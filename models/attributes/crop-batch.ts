// Builds one batched input tensor from a crop box per face: the crop differs per head (×1.4 context for
// SSR-Net, ×2.7 for liveness, …), the resize-and-normalise step does not.
import type { Box, RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';
import { cropResize } from '../image/crop-resize.ts';
import { tensorSize, writeTensor } from '../image/to-tensor.ts';

export interface CropRequest {
  readonly image: RgbImage;
  readonly box: Box;
}

export function cropBatch(crops: readonly CropRequest[], input: ModelEntry['input']): Float32Array {
  const per = tensorSize(input);
  const data = new Float32Array(per * crops.length);
  crops.forEach((c, i) => writeTensor(cropResize(c.image, c.box, input.width, input.height), input, data, i * per));
  return data;
}

export function shapeOf(input: ModelEntry['input']): [number, number, number] {
  return [input.channels, input.height, input.width];
}
