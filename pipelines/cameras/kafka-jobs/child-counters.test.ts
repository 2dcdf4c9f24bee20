import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createStageMetrics } from '../../runtime/metrics.ts';
import { INGEST_COUNTERS } from '../../ingest/stage.ts';
import { childCountersOf, COUNTERS_MSG, readChildCounters } from './child-counters.ts';

describe('child counters', () => {
  it('reads a distributed ingest child: frames handed on, motion-skipped and corrupt frames, no faces', async () => {
    const registry = new Registry();
    const m = createStageMetrics(registry);
    m.recordsOut.inc({ stage: 'ingest' }, 40);
    m.problems.inc({ stage: 'ingest', what: INGEST_COUNTERS.imotionSkipped }, 7);
    m.problems.inc({ stage: 'ingest', what: INGEST_COUNTERS.corruptFrames }, 2);
    m.problems.inc({ stage: 'detect', what: INGEST_COUNTERS.corruptFrames }, 5);
    expect(await readChildCounters(registry)).toEqual({ frames: 40, faces: 0, imotionSkipped: 7, decodingSoftErrors: 2 });
  });

  it('reads an edge child: frames out of detection, faces posted by the tracker', async () => {
    const registry = new Registry();
    const m = createStageMetrics(registry);
    m.recordsOut.inc({ stage: 'ingest' }, 40);
    m.recordsOut.inc({ stage: 'detect' }, 38);
    m.recordsOut.inc({ stage: 'track' }, 3);
    expect(await readChildCounters(registry)).toMatchObject({ frames: 38, faces: 3 });
  });

  it('finds the counters in a child line and nothing in other lines', () => {
    const counters = { frames: 1, faces: 0, imotionSkipped: 0, decodingSoftErrors: 0 };
    expect(childCountersOf(JSON.stringify({ level: 30, msg: COUNTERS_MSG, counters }))).toEqual(counters);
    expect(childCountersOf(JSON.stringify({ level: 30, msg: 'ingest source finished' }))).toBeUndefined();
    expect(childCountersOf(`not json but says ${COUNTERS_MSG}`)).toBeUndefined();
    expect(childCountersOf(JSON.stringify({ msg: COUNTERS_MSG, counters: { frames: 'x' } }))).toBeUndefined();
  });
});
