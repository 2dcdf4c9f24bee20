// Test helpers for stages; production code never imports this folder.
export { mockContext, type MockContext, type MockContextOptions } from './mock-context.ts';
export * from './records.ts';
