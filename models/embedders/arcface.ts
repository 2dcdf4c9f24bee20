// Any ArcFace-style embedder: face warped by the 5-point similarity onto the 112-px template (scaled to the
// model's input), colour order and normalisation from the manifest, output L2-normalised. Faces are batched.
import type { ModelEntry } from '../manifest.ts';
import { createSession, outputData, runBatch, releaseOnce } from '../session.ts';
import { alignmentMatrix } from '../align.ts';
import { warpAffine } from '../image/warp-affine.ts';
import { tensorSize, writeTensor } from '../image/to-tensor.ts';
import type { Embedder, EmbedderFactory, EmbedderOptions } from './embedder.ts';
import { l2Normalise } from './l2-normalise.ts';

async function create(entry: ModelEntry, modelFile: string, opts: EmbedderOptions): Promise<Embedder> {
  const session = await createSession(modelFile, opts);
  const input = entry.input;
  if (input.width !== input.height) throw new Error(`embedder ${entry.id}: ArcFace alignment needs a square input`);
  const per = tensorSize(input);
  // Exports with a fixed batch axis of 1 (OpenCV Zoo's SFace, unprepared user files) take one face per call.
  const meta = session.inputMetadata[0];
  const fixedBatchOfOne = meta?.isTensor === true && meta.shape[0] === 1;
  const batchSize = fixedBatchOfOne ? 1 : Math.max(1, opts.batchSize);
  let dim = entry.outputDim ?? 0;

  return {
    id: entry.id,
    get dim() {
      return dim;
    },
    async embed(faces) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < faces.length; start += batchSize) {
        const chunk = faces.slice(start, start + batchSize);
        const data = new Float32Array(per * chunk.length);
        chunk.forEach(({ image, face }, i) => {
          const aligned = warpAffine(image, alignmentMatrix(face.landmarks5, input.width), input.width, input.height);
          writeTensor(aligned, input, data, i * per);
        });
        const out = outputData(session, await runBatch(session, data, chunk.length, [input.channels, input.height, input.width]));
        dim = out.length / chunk.length;
        for (let i = 0; i < chunk.length; i++) vectors.push(l2Normalise(out.slice(i * dim, (i + 1) * dim)));
      }
      return vectors;
    },
    close: releaseOnce(session),
  };
}

export const arcface: EmbedderFactory = { kind: 'arcface', create };
