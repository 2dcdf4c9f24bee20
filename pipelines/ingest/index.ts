// The ingest source as the registry sees it: name, output topic, the factory; plus the reader for tools.
export { createIngestSource, INGEST_COUNTERS, type IngestSource, type IngestSourceOptions } from './stage.ts';
export { readVideo, probeVideo, type DecodedFrame, type DecodeProblem, type ProblemKind, type ReadSummary, type ReadVideoOptions, type VideoInfo } from './video-source.ts';
export { SourceError, SOURCE_ERROR_CODES, isSourceError, type SourceErrorCode } from './errors.ts';
export { IngestConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createIngestSource } from './stage.ts';

export const ingestSource = {
  name: 'ingest',
  input: null,
  output: TOPICS.frames,
  stores: [],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: false,
  create: createIngestSource,
} as const;
