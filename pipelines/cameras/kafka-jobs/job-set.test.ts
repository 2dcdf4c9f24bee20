import { describe, expect, it } from 'vitest';
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import { CameraJobSet } from './job-set.ts';

const job = (cameraId: string, version: number, over: Partial<CameraJob> = {}): CameraJob => ({
  cameraId,
  name: `cam ${cameraId}`,
  url: `rtsp://127.0.0.1:8554/${cameraId}`,
  enabled: true,
  version,
  fps: null,
  group: '1',
  confidenceThreshold: null,
  settings: {},
  restarts: 0,
  ...over,
});

describe('CameraJobSet', () => {
  it('starts an enabled job once; the same version read again (after a rebalance) changes nothing', () => {
    const set = new CameraJobSet();
    expect(set.apply(0, '1', job('1', 5))).toEqual([{ kind: 'start', job: job('1', 5) }]);
    expect(set.apply(0, '1', job('1', 5))).toEqual([]);
    expect(set.apply(0, '1', job('1', 4, { url: 'rtsp://old' }))).toEqual([]);
    expect(set.cameras).toEqual(['1']);
  });

  it('restarts a camera whose source or settings changed, or that was restarted, not one that was only renamed', () => {
    const set = new CameraJobSet();
    set.apply(0, '1', job('1', 1));
    set.apply(1, '2', job('2', 2));
    expect(set.apply(0, '1', job('1', 3, { name: 'renamed' }))).toEqual([]);
    expect(set.apply(0, '1', job('1', 4, { settings: { fps: '2' } }))).toEqual([{ kind: 'restart', job: job('1', 4, { settings: { fps: '2' } }) }]);
    expect(set.apply(0, '1', job('1', 5, { settings: { fps: '2' }, url: 'rtsp://new' }))).toMatchObject([{ kind: 'restart' }]);
    // FindFace's restart through the API: the same job, restarted
    expect(set.apply(0, '1', job('1', 6, { settings: { fps: '2' }, url: 'rtsp://new', restarts: 1 }))).toMatchObject([{ kind: 'restart' }]);
    expect([...set.cameras].sort()).toEqual(['1', '2']);
  });

  it('stops a camera on a tombstone or when disabled, and starts it again when re-enabled', () => {
    const set = new CameraJobSet();
    set.apply(0, '1', job('1', 1));
    expect(set.apply(0, '1', job('1', 2, { enabled: false }))).toEqual([{ kind: 'stop', cameraId: '1', cause: 'disabled', reason: 'disabled' }]);
    expect(set.apply(0, '1', job('1', 2, { enabled: false }))).toEqual([]);
    expect(set.apply(0, '1', job('1', 3))).toMatchObject([{ kind: 'start' }]);
    expect(set.apply(0, '1', null)).toEqual([{ kind: 'stop', cameraId: '1', cause: 'deleted', reason: 'deleted' }]);
    expect(set.apply(0, '1', null)).toEqual([]);
    expect(set.apply(0, '9', job('9', 1, { enabled: false }))).toEqual([]);
    expect(set.size).toBe(0);
  });

  it('acts on a batch as a whole: a job started and disabled, or deleted, within it starts nothing', () => {
    const set = new CameraJobSet();
    set.apply(0, 'kept', job('kept', 1));
    const actions = set.applyAll(0, [
      { cameraId: 'gone', job: job('gone', 1) },
      { cameraId: 'kept', job: job('kept', 2, { url: 'rtsp://a' }) },
      { cameraId: 'off', job: job('off', 3) },
      { cameraId: 'gone', job: null },
      { cameraId: 'kept', job: job('kept', 4, { url: 'rtsp://b' }) },
      { cameraId: 'off', job: job('off', 5, { enabled: false }) },
      { cameraId: 'new', job: job('new', 6) },
    ]);
    expect(actions).toEqual([
      { kind: 'restart', job: job('kept', 4, { url: 'rtsp://b' }) },
      { kind: 'start', job: job('new', 6) },
    ]);
    expect(set.applyAll(0, [{ cameraId: 'kept', job: job('kept', 7, { enabled: false }) }, { cameraId: 'new', job: null }])).toEqual([
      { kind: 'stop', cameraId: 'kept', cause: 'disabled', reason: 'disabled' },
      { kind: 'stop', cameraId: 'new', cause: 'deleted', reason: 'deleted' },
    ]);
  });

  it('stops the cameras of partitions no longer assigned and keeps the others', () => {
    const set = new CameraJobSet();
    set.apply(0, 'a', job('a', 1));
    set.apply(1, 'b', job('b', 1));
    set.apply(2, 'c', job('c', 1));
    expect(set.assigned([1, 3])).toEqual([
      { kind: 'stop', cameraId: 'a', cause: 'revoked', reason: 'partition 0 revoked' },
      { kind: 'stop', cameraId: 'c', cause: 'revoked', reason: 'partition 2 revoked' },
    ]);
    expect(set.cameras).toEqual(['b']);
    // its partition comes back: read from the start again, the job starts again
    expect(set.apply(0, 'a', job('a', 1))).toMatchObject([{ kind: 'start' }]);
  });
});
