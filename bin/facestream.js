#!/usr/bin/env node
// The `facestream` command. The product is TypeScript run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../pipelines/ingest/promise-with-resolvers.ts');
// before anything loads kafkajs: replacements its modules take when they load
await import('../pipelines/runtime/kafka/kafkajs-preload.ts');
await import('../cli/main.ts');
