// The compose file cannot run here (no Docker), so what can be checked is checked: every facestream service runs
// a process of the topology it names with flags the CLI knows, and the configuration it mounts is valid.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../config/load.ts';
import { planProcess } from '../topologies/plan.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const compose = parse(readFileSync(here('compose.yaml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
const KNOWN_FLAGS = new Set(['--topology', '--instance', '--camera', '--source', '--start-time', '--watchlist', '--config', '--log-level']);

describe('docker/compose.yaml', () => {
  const stages = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'stage');

  it('runs every process of the distributed topology, each with flags the stage command knows', () => {
    const processes = new Set<string>();
    for (const [name, { command }] of stages) {
      const [, proc, ...flags] = command!;
      const topology = TOPOLOGIES[flags[flags.indexOf('--topology') + 1]!]!;
      expect(() => planProcess(topology, proc!), name).not.toThrow();
      for (const flag of flags.filter((f) => f.startsWith('--'))) expect(KNOWN_FLAGS.has(flag), `${name}: ${flag}`).toBe(true);
      processes.add(proc!);
    }
    expect([...processes].sort()).toEqual(TOPOLOGIES['distributed']!.processes.map((p) => p.name).sort());
  });

  it('mounts a configuration that validates', async () => {
    expect((await loadConfig(here('config.yaml'), {}, {})).frame_store.dir).toBe('/frames');
  });
});
