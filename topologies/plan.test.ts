import { describe, expect, it } from 'vitest';
import { kafkaTopicsWritten, planProcess, terminalStages, withoutStages } from './plan.ts';
import { TOPOLOGIES } from './registry.ts';
import type { TopologySpec } from './topology.ts';

describe('planProcess', () => {
  it('distributed: ingest is a graph writing frames to Kafka, every other stage consumes Kafka alone', () => {
    const spec = TOPOLOGIES['distributed']!;
    expect(planProcess(spec, 'ingest')).toEqual([{ kind: 'graph', stages: ['ingest'], kafkaOutputs: ['frames'] }]);
    expect(planProcess(spec, 'track')).toEqual([{ kind: 'kafka-stage', stage: 'track', input: 'detections', output: 'faces' }]);
    expect(planProcess(spec, 'episodes')).toEqual([{ kind: 'kafka-stage', stage: 'episodes', input: 'matches', output: 'episodes' }]);
  });

  it('edge: ingest, detect and track fused, faces leave over Kafka', () => {
    expect(planProcess(TOPOLOGIES['edge']!, 'edge')).toEqual([{ kind: 'graph', stages: ['ingest', 'detect', 'track'], kafkaOutputs: ['faces'] }]);
    expect(planProcess(TOPOLOGIES['edge']!, 'embed')).toEqual([{ kind: 'kafka-stage', stage: 'embed', input: 'faces', output: 'embeddings' }]);
  });

  it('embedded: one graph, nothing on Kafka; the sink stages can be left out (analyze without --store)', () => {
    expect(planProcess(TOPOLOGIES['embedded']!, 'main')).toEqual([
      { kind: 'graph', stages: ['ingest', 'detect', 'track', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'], kafkaOutputs: [] },
    ]);
    expect(planProcess(withoutStages(TOPOLOGIES['embedded']!, ['sink-events', 'sink-episodes']), 'main')).toEqual([
      { kind: 'graph', stages: ['ingest', 'detect', 'track', 'embed', 'match', 'episodes'], kafkaOutputs: [] },
    ]);
  });

  it('distributed and edge: one sink process consuming matches and episodes, writing no topic', () => {
    const sinks = [
      { kind: 'kafka-stage', stage: 'sink-events', input: 'matches', output: null },
      { kind: 'kafka-stage', stage: 'sink-episodes', input: 'episodes', output: null },
    ];
    expect(planProcess(TOPOLOGIES['edge']!, 'sink')).toEqual(sinks);
    // distributed also counts people: its counter records join the same ClickHouse client
    expect(planProcess(TOPOLOGIES['distributed']!, 'sink')).toEqual([...sinks, { kind: 'kafka-stage', stage: 'sink-counters', input: 'counters', output: null }]);
    expect(planProcess(TOPOLOGIES['distributed']!, 'counters')).toEqual([{ kind: 'kafka-stage', stage: 'counters', input: 'detections', output: 'counters' }]);
  });

  it('viewtron: the receiver writing faces to Kafka and embed consuming them in its process; in one process, every stage in its graph', () => {
    expect(planProcess(TOPOLOGIES['viewtron']!, 'viewtron')).toEqual([
      { kind: 'kafka-stage', stage: 'embed', input: 'faces', output: 'embeddings' },
      { kind: 'graph', stages: ['viewtron'], kafkaOutputs: ['faces'] },
    ]);
    expect(planProcess(TOPOLOGIES['viewtron']!, 'match')).toEqual([{ kind: 'kafka-stage', stage: 'match', input: 'embeddings', output: 'matches' }]);
    expect(planProcess(TOPOLOGIES['viewtron-embedded']!, 'main')).toEqual([
      { kind: 'graph', stages: ['viewtron', 'embed', 'match', 'episodes', 'sink-events', 'sink-episodes'], kafkaOutputs: [] },
    ]);
  });

  it('terminal stages: the sinks, or episodes where no sink runs', () => {
    expect(terminalStages(TOPOLOGIES['distributed']!)).toEqual(['sink-events', 'sink-episodes', 'sink-counters']);
    expect(terminalStages(withoutStages(TOPOLOGIES['distributed']!, ['sink-events', 'sink-episodes', 'sink-counters']))).toEqual(['episodes', 'counters']);
  });

  it('refuses processes that cannot run, saying why', () => {
    const base = TOPOLOGIES['distributed']!;
    const spec = (processes: TopologySpec['processes'], edges: Partial<TopologySpec['edges']> = {}): TopologySpec => ({ ...base, processes, edges: { ...base.edges, ...edges } });
    expect(() => planProcess(base, 'nope')).toThrow(/no process "nope"/);
    expect(() => planProcess(spec([{ name: 'p', stages: ['match', 'episodes'] }], { matches: 'inproc' }), 'p')).toThrow(/match reads Kafka and feeds an in-process queue/);
    expect(() => planProcess(spec([{ name: 'p', stages: ['track'] }], { detections: 'inproc' }), 'p')).toThrow(/no stage of this process produces/);
  });
});

describe('kafkaTopicsWritten', () => {
  it('lists the Kafka topics the stages write, not an edge on Kafka that nothing here produces', () => {
    expect(kafkaTopicsWritten(TOPOLOGIES['edge']!).sort()).toEqual(['embeddings', 'episodes', 'faces', 'matches']);
    expect(kafkaTopicsWritten(TOPOLOGIES['distributed']!)).toContain('frames');
    expect(kafkaTopicsWritten(TOPOLOGIES['distributed']!)).toContain('counters');
  });
});
