// Embedder backends by manifest `kind`. An explicit list: adding a backend is one import and one entry here.
import type { EmbedderFactory } from './embedder.ts';
import { arcface } from './arcface.ts';

const EMBEDDERS: readonly EmbedderFactory[] = [arcface];

export function embedderFactory(kind: string): EmbedderFactory {
  const f = EMBEDDERS.find((e) => e.kind === kind);
  if (!f) throw new Error(`no embedder backend of kind "${kind}" (known: ${EMBEDDERS.map((e) => e.kind).join(', ')})`);
  return f;
}
