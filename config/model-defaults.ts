// Thresholds that belong to a model, not to facestream: a similarity of 0.39 means "same person" for one
// embedder and nothing for another. They come from the model manifest as the lowest configuration layer.
import { DEFAULT_MANIFEST_PATH, findModel, loadManifest, type Manifest } from '../models/manifest.ts';

export interface ModelThresholdDefaults {
  readonly detect: { readonly min_score: number };
  readonly match: { readonly confidence_threshold: number };
  readonly episodes: { readonly episodes_threshold: number };
}

function threshold(manifest: Manifest, role: 'detector' | 'embedder', key: string, where: string): number {
  const value = findModel(manifest, role)?.thresholds?.[key];
  if (value === undefined) throw new Error(`model manifest ${where}: the ${role} needs thresholds.${key}`);
  return value;
}

export function modelThresholdDefaults(manifestPath: string = DEFAULT_MANIFEST_PATH): ModelThresholdDefaults {
  const manifest = loadManifest(manifestPath);
  return {
    detect: { min_score: threshold(manifest, 'detector', 'score', manifestPath) },
    match: { confidence_threshold: threshold(manifest, 'embedder', 'match', manifestPath) },
    episodes: { episodes_threshold: threshold(manifest, 'embedder', 'episode', manifestPath) },
  };
}
