// The size of the whole frame the detector takes, for a process that decodes video but runs no model (ingest
// over Kafka): its frames then carry the frame at that size, made by the decoder, exactly as in the embedded
// topology, so the detect process sees the same detector input and finds the same faces.
import { loadManifest, findModel, modelPath, DEFAULT_PREPARED_DIR } from './manifest.ts';
import { detectorFactory } from './detectors/registry.ts';

export async function detectorWholeFrameInput(manifestPath?: string): Promise<{ readonly width: number; readonly height: number } | undefined> {
  const manifest = manifestPath ? loadManifest(manifestPath) : loadManifest();
  const entry = findModel(manifest, 'detector');
  if (!entry) return undefined;
  // the detector kind knows whether it takes the whole frame at one size; opening it is cheap (~1 MB, one thread)
  const detector = await detectorFactory(entry.kind).create(entry, modelPath(entry, DEFAULT_PREPARED_DIR), { intraOpThreads: 1 });
  try {
    return detector.wholeFrameInput;
  } finally {
    await detector.close();
  }
}
