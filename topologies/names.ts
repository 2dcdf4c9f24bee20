// Persisted names in one place (STYLE.md §1): topics and state stores are named here, never derived from
// position in a graph, so renaming a stage does not orphan its data.
export const TOPICS = {
  frames: 'frames',
  detections: 'detections',
  faces: 'faces',
  embeddings: 'embeddings',
  matches: 'matches',
  episodes: 'episodes',
  counters: 'counters',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
