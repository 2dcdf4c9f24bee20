// Entry of a model worker thread. A worker starts with no loader hooks of its own, so it registers tsx's
// loader (as bin/run-ts.js does for the main thread) before importing the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./model-worker.ts');
