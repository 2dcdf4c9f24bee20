import { describe, expect, it } from 'vitest';
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
