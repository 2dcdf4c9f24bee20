import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'console/dist/**'],
    // Model-heavy tests share 2 cores; run files one after another so timings stay sane.
    fileParallelism: false,
    // Each test file in its own child process (vitest's default, stated so it stays): the embedded ClickHouse
    // (chdb) hangs inside worker threads and binds one data directory per process (stores/clickhouse/testing.ts).
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['pipelines/ingest/promise-with-resolvers.ts'],
    // One real Kafka broker and one PostgreSQL server per run, each started only if a test asks for it
    // (test/support/kafka.ts, test/support/postgres.ts).
    globalSetup: ['test/support/kafka-global-setup.ts', 'test/support/postgres-global-setup.ts'],
  },
});
