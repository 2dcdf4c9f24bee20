// Detector backends by manifest `kind`. An explicit list: adding a backend is one import and one entry here.
import type { DetectorFactory } from './detector.ts';
import { ultralight } from './ultralight.ts';
import { scrfd } from './scrfd.ts';
import { yunet } from './yunet.ts';

const DETECTORS: readonly DetectorFactory[] = [ultralight, scrfd, yunet];

export function detectorFactory(kind: string): DetectorFactory {
  const f = DETECTORS.find((d) => d.kind === kind);
  if (!f) throw new Error(`no detector backend of kind "${kind}" (known: ${DETECTORS.map((d) => d.kind).join(', ')})`);
  return f;
}
