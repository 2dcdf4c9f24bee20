// How the detector sizes the whole frame (wholeFrameSize), for a process that decodes video but runs no model (ingest
// over Kafka): its frames then carry the frame at the detector's size, made by the decoder, exactly as in the embedded
// topology, so the detect process sees the same detector input and finds the same faces.
import { loadManifest, findModel, modelPath, DEFAULT_PREPARED_DIR } from './manifest.ts';
import { detectorFactory } from './detectors/registry.ts';
import type { WholeFrameInput } from './detectors/detector.ts';

export async function detectorWholeFrameInput(manifestPath?: string): Promise<WholeFrameInput | undefined> {
  const manifest = manifestPath ? loadManifest(manifestPath) : loadManifest();
  const entry = findModel(manifest, 'detector');
  if (!entry) return undefined;
  // the detector kind knows whether it takes the whole frame and at what size; opening it is cheap (~1 MB, one thread)
  const detector = await detectorFactory(entry.kind).create(entry, modelPath(entry, DEFAULT_PREPARED_DIR), { intraOpThreads: 1 });
  try {
    return detector.wholeFrameInput;
  } finally {
    await detector.close();
  }
}
