import { describe, expect, it } from 'vitest';
import type { TopologySpec } from '../topologies/topology.ts';
import { parseInstances, parseSource, planChildren, type PlanInput } from './up-plan.ts';
import { UserError } from './user-error.ts';

const kafkaEdges = { frames: 'kafka', detections: 'kafka', faces: 'kafka', embeddings: 'kafka', matches: 'kafka', episodes: 'kafka', counters: 'kafka' } as const;

const distributed: TopologySpec = {
  name: 'distributed',
  description: 'one process per stage',
  processes: [
    { name: 'ingest', stages: ['ingest'] },
    { name: 'detect', stages: ['detect'] },
    { name: 'track', stages: ['track'] },
    { name: 'embed', stages: ['embed'] },
    { name: 'match', stages: ['match'] },
    { name: 'episodes', stages: ['episodes'] },
  ],
  edges: kafkaEdges,
};

const edge: TopologySpec = {
  name: 'edge',
  description: 'fused at the edge',
  processes: [
    { name: 'edge', stages: ['ingest', 'detect', 'track'] },
    { name: 'central', stages: ['embed', 'match', 'episodes'] },
  ],
  edges: { ...kafkaEdges, frames: 'inproc', detections: 'inproc', embeddings: 'inproc', matches: 'inproc' },
};

const base = { execPath: '/usr/bin/node', entry: '/repo/bin/facestream.js', startTimeS: 1_800_000_000 } as const;
const plan = (over: Partial<PlanInput> & Pick<PlanInput, 'topology'>) =>
  planChildren({ ...base, sources: [{ camera: 'lobby', url: 'rtsp://10.0.0.5/s1' }], ...over });

describe('parseSource', () => {
  it('splits at the first =', () => {
    expect(parseSource('lobby=rtsp://10.0.0.5/s?a=b')).toEqual({ camera: 'lobby', url: 'rtsp://10.0.0.5/s?a=b' });
    expect(parseSource('door-2=clips/door.mp4')).toEqual({ camera: 'door-2', url: 'clips/door.mp4' });
  });
  it.each(['lobby', '=x.mp4', 'lobby=', 'my cam=x.mp4', '../x=y'])('refuses %j with one line', (text) => {
    expect(() => parseSource(text)).toThrow(UserError);
  });
});

describe('parseInstances', () => {
  it('reads <process>=<n>', () => {
    expect(parseInstances('embed=3')).toEqual(['embed', 3]);
  });
  it.each(['embed', 'embed=0', 'embed=-1', 'embed=1.5', '=2'])('refuses %j', (text) => {
    expect(() => parseInstances(text)).toThrow(/--instances .*expected <process>=<n>/);
  });
});

describe('planChildren', () => {
  it('starts ingest once per source and every other process once, each a `facestream stage` command', () => {
    const children = plan({
      topology: distributed,
      sources: [
        { camera: 'lobby', url: 'rtsp://10.0.0.5/s1' },
        { camera: 'door', url: 'clips/door.mp4' },
      ],
    });
    expect(children.map((c) => c.name)).toEqual(['ingest@lobby', 'ingest@door', 'detect', 'track', 'embed', 'match', 'episodes']);
    expect(children.every((c) => c.command === '/usr/bin/node')).toBe(true);
    expect(children[1]).toEqual({
      name: 'ingest@door',
      command: '/usr/bin/node',
      // a file is dated from the run's start time (restarts repeat the same timestamps); a live camera by arrival
      args: ['/repo/bin/facestream.js', 'stage', 'ingest', '--topology', 'distributed', '--instance', '1', '--camera', 'door', '--source', 'clips/door.mp4', '--start-time', '1800000000'],
      process: 'ingest',
      instance: 1,
      camera: 'door',
      runsLastStage: false,
      lastStages: [],
    });
    expect(children.find((c) => c.name === 'detect')!.args).toEqual(['/repo/bin/facestream.js', 'stage', 'detect', '--topology', 'distributed', '--instance', '0']);
    expect(children.filter((c) => c.runsLastStage).map((c) => c.name)).toEqual(['episodes']);
  });

  it('with the sink stages, their process runs the last stages', () => {
    const withSink: TopologySpec = { ...distributed, processes: [...distributed.processes, { name: 'sink', stages: ['sink-events', 'sink-episodes'] }] };
    const children = plan({ topology: withSink });
    expect(children.filter((c) => c.runsLastStage).map((c) => [c.name, c.lastStages])).toEqual([['sink', ['sink-events', 'sink-episodes']]]);
  });

  it('runs --instances copies of a process, numbered from 0', () => {
    const children = plan({ topology: distributed, instances: { embed: 3, detect: 1 } });
    const embeds = children.filter((c) => c.process === 'embed');
    expect(embeds.map((c) => [c.name, c.instance, c.args.slice(-2)])).toEqual([
      ['embed#0', 0, ['--instance', '0']],
      ['embed#1', 1, ['--instance', '1']],
      ['embed#2', 2, ['--instance', '2']],
    ]);
    expect(children.filter((c) => c.process === 'detect').map((c) => c.name)).toEqual(['detect']);
  });

  it('passes --watchlist to the processes that match and --config to all', () => {
    const children = plan({ topology: edge, watchlist: '/data/watchlist', config: '/etc/facestream.yaml' });
    expect(children.map((c) => [c.name, c.args.slice(7)])).toEqual([
      ['edge@lobby', ['--camera', 'lobby', '--source', 'rtsp://10.0.0.5/s1', '--config', '/etc/facestream.yaml']],
      ['central', ['--watchlist', '/data/watchlist', '--config', '/etc/facestream.yaml']],
    ]);
    expect(children.find((c) => c.name === 'central')!.runsLastStage).toBe(true);
    expect(children.find((c) => c.name === 'central')!.lastStages).toEqual(['episodes']);
  });

  it('without --source, runs the process that ingests as --instances ingest workers (cameras from the API)', () => {
    const one = plan({ topology: distributed, sources: [], config: '/etc/facestream.yaml' });
    expect(one.find((c) => c.process === 'ingest')).toEqual({
      name: 'ingest',
      command: '/usr/bin/node',
      // no --camera and --source: `facestream stage ingest` is then a worker on the cameras topic
      args: ['/repo/bin/facestream.js', 'stage', 'ingest', '--topology', 'distributed', '--instance', '0', '--config', '/etc/facestream.yaml'],
      process: 'ingest',
      instance: 0,
      runsLastStage: false,
      lastStages: [],
    });
    const workers = plan({ topology: edge, sources: [], instances: { edge: 3 } }).filter((c) => c.process === 'edge');
    expect(workers.map((c) => [c.name, c.camera, c.args.slice(2, 7)])).toEqual([
      ['edge#0', undefined, ['edge', '--topology', 'edge', '--instance', '0']],
      ['edge#1', undefined, ['edge', '--topology', 'edge', '--instance', '1']],
      ['edge#2', undefined, ['edge', '--topology', 'edge', '--instance', '2']],
    ]);
    expect(workers.every((c) => !c.args.includes('--source') && !c.args.includes('--camera'))).toBe(true);
  });

  it('refuses a command line that cannot run', () => {
    expect(() => plan({ topology: distributed, instances: { embedder: 2 } })).toThrow(
      'topology distributed: --instances embedder: no such process (it has ingest, detect, track, embed, match, episodes)',
    );
    expect(() => plan({ topology: edge, instances: { edge: 2 } })).toThrow(/a process that ingests runs once per --source \(without --source: that many ingest workers\)/);
    expect(() =>
      plan({
        topology: distributed,
        sources: [
          { camera: 'a', url: 'x.mp4' },
          { camera: 'a', url: 'y.mp4' },
        ],
      }),
    ).toThrow('--source: camera "a" is given twice');
    const noIngest: TopologySpec = { ...distributed, processes: distributed.processes.filter((p) => p.name !== 'ingest') };
    expect(() => plan({ topology: noIngest })).toThrow(/no process ingests/);
    expect(plan({ topology: noIngest, sources: [] }).map((c) => c.name)).toEqual(['detect', 'track', 'embed', 'match', 'episodes']);
  });
});
