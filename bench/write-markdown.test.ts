import { describe, expect, it } from 'vitest';
import { analyticsGoalRow } from './analytics-markdown.ts';
import { spliceSections } from './write-markdown.ts';

describe('spliceSections (--into)', () => {
  const full = '# Benchmarks\n\nintro\n\n## Machine\n\nfull run\n\n## Matcher\n\nold\n\n## Peak memory\n\nrss\n';
  it('replaces the partial run\'s own sections and keeps the rest, machine and memory included', () => {
    const partial = '# Benchmarks\n\nintro\n\n## Machine\n\npartial run\n\n## Matcher\n\nnew\n\n## Peak memory\n\nother\n';
    expect(spliceSections(full, partial)).toBe(full.replace('old', 'new'));
  });
  it('puts a section the file lacks before the memory table', () => {
    expect(spliceSections(full, '# B\n\n## Kafka\n\nk\n')).toBe(full.replace('## Peak memory', '## Kafka\n\nk\n\n## Peak memory'));
  });
});

describe('analytics goal row', () => {
  const dataset = { rows: 10_000_000, fromMs: 0, toMs: 30 * 86_400_000, embeddedShare: 0, modelId: 'm', generationS: 1, generatedAt: '2026-01-01T00:00:00Z', statsRows: { minute: 1, hour: 1, day: 1 }, bytesOnDisk: 1 };
  const query = (name: string, p95Ms: number, underGoal = true) => ({ name, what: '', p50Ms: p95Ms / 2, p95Ms, maxMs: p95Ms, rows: 50, underGoal });
  const results = (rows: number, queries: ReturnType<typeof query>[]) => ({ dataset: { ...dataset, rows }, generatedNow: false, runs: 20, queries, parts: 1, peakRssMb: 1 });
  it('is met when every query under the goal has p95 within it, whatever the 30-day query takes', () => {
    const row = analyticsGoalRow(results(10_000_000, [query('events', 120), query('per-minute', 300), query('per-hour', 5000, false)]));
    expect(row[2]).toBe('met');
    expect(row[1]).toContain('slowest p95 300 ms (per-minute); 2 of 2 queries within');
  });
  it('is not met when one is slower, and not judged below 10 M rows', () => {
    expect(analyticsGoalRow(results(10_000_000, [query('events', 301)]))[2]).toBe('**not met**');
    expect(analyticsGoalRow(results(1_000_000, [query('events', 10)]))[2]).toBe('not judged (measured at 1,000,000 rows)');
  });
});

describe('spliceSections: the goals table', () => {
  const goals = (...rows: string[]) => ['## Goals of the issue and what was measured', '', '| goal | measured | verdict |', '| --- | --- | --- |', ...rows].join('\n');
  const full = `# Benchmarks\n\n${goals('| speed | 5× | **not met** |', '| density | 4 streams | **not met** |')}\n\n## Peak memory\n\nrss\n`;
  it("replaces the partial run's own goal rows and keeps the others", () => {
    const partial = `# B\n\n${goals('| density | 20 streams | met |')}\n\n## Peak memory\n\nother\n`;
    expect(spliceSections(full, partial)).toBe(full.replace('| density | 4 streams | **not met** |', '| density | 20 streams | met |'));
  });
  it('adds a goal row the table lacks at its end', () => {
    const partial = `# B\n\n${goals('| matcher | 7 ms | met |')}\n`;
    expect(spliceSections(full, partial)).toBe(full.replace('| density | 4 streams | **not met** |', '| density | 4 streams | **not met** |\n| matcher | 7 ms | met |'));
  });
});
