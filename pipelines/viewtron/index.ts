// The Viewtron receiver as the registry sees it: a source (no input topic) producing face posts, and its factory.
export { createViewtronSource, FAILURE_BODY, SUCCESS_BODY, VIEWTRON_COUNTERS, type ViewtronSource, type ViewtronSourceOptions } from './stage.ts';
export { parsePush, ViewtronPushError, PUSH_ERROR_CODES, type ViewtronPush, type FacePush } from './parse.ts';
export { ViewtronConfig } from './config.ts';

import type { FrameStoreConfig } from '../../stores/frames/config.ts';
import { localFrameStore, type FrameStore } from '../../stores/frames/local-frame-store.ts';
import { TOPICS } from '../../topologies/names.ts';
import { createViewtronSource } from './stage.ts';

/** Where pushed full frames go: the process's frame store, else frame_store.dir's (serve passes none), else nowhere. */
export function pushedFrameStore(given: FrameStore | undefined, config: FrameStoreConfig): FrameStore | undefined {
  return given ?? (config.dir ? localFrameStore(config.dir, config.jpeg_quality) : undefined);
}

export const viewtronSource = {
  name: 'viewtron',
  input: null,
  output: TOPICS.faces,
  stores: [],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: false,
  create: createViewtronSource,
} as const;
