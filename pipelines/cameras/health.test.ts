import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../runtime/inproc/run-graph.ts';
import { FINDFACE_HEALTH_RULES, healthStatus, nextChangeAt, processingFps, type HealthFacts } from './health.ts';
import { CameraStats, cameraOf, deadLetterKind } from './stats.ts';

const running = (since: number, problem: number | null = null): HealthFacts => ({ state: 'running', runningSinceMs: since, lastProblemMs: problem });

describe('camera health (FindFace colours)', () => {
  it('grey when disabled or done, red while it cannot be processed, yellow while starting', () => {
    const none = { runningSinceMs: null, lastProblemMs: null };
    expect(healthStatus({ state: 'disabled', ...none }, 0)).toBe('grey');
    expect(healthStatus({ state: 'finished', ...none }, 0)).toBe('grey');
    expect(healthStatus({ state: 'retrying', ...none }, 0)).toBe('red');
    expect(healthStatus({ state: 'starting', ...none }, 0)).toBe('yellow');
  });

  it('yellow for the first 30 s of running and for 30 s after a posting error, green otherwise', () => {
    expect(healthStatus(running(0), 29_999)).toBe('yellow');
    expect(healthStatus(running(0), 30_000)).toBe('green');
    expect(healthStatus(running(0, 50_000), 60_000)).toBe('yellow');
    expect(healthStatus(running(0, 50_000), 80_000)).toBe('green');
    expect(healthStatus(running(0), 2_000, { settleMs: 1_000 })).toBe('green');
  });

  it('says when a running camera turns green by itself', () => {
    expect(nextChangeAt(running(0), 10_000)).toBe(FINDFACE_HEALTH_RULES.settleMs);
    expect(nextChangeAt(running(0, 40_000), 45_000)).toBe(70_000);
    expect(nextChangeAt(running(0), 31_000)).toBeNull();
    expect(nextChangeAt({ state: 'retrying', runningSinceMs: null, lastProblemMs: null }, 0)).toBeNull();
  });

  it('processing fps over the window, or since the start when shorter', () => {
    const times = Array.from({ length: 51 }, (_, k) => 1_000 + k * 100); // 10 fps from t = 1 s to 6 s
    expect(processingFps(times, 6_000, 5_000, 0)).toBe(10);
    expect(processingFps(times, 3_000, 5_000, 1_000)).toBe(10);
    expect(processingFps(times, 20_000, 5_000, 0)).toBe(0);
    expect(processingFps(times, 6_000, 5_000, null)).toBe(0);
  });
});

describe('camera stats', () => {
  it('counts what the stages report and follows the job through failure and recovery', () => {
    let now = 0;
    const stats = new CameraStats(() => now, { settleMs: 1_000 });
    expect(stats.health()).toMatchObject({ status: 'grey', state: 'disabled' });
    stats.started();
    expect(stats.health()).toMatchObject({ status: 'yellow', state: 'starting', job_starts: 1 });
    now = 100;
    stats.frameRead();
    for (let k = 0; k < 10; k++) stats.frameProcessed();
    stats.facePosted();
    stats.count('corrupt_frames', 2);
    stats.count('imotion_skipped', 3);
    stats.count('read_errors', 1);
    expect(stats.health()).toMatchObject({ status: 'yellow', state: 'running', frames_processed: 10, faces_posted: 1, decoding_soft_errors: 2, frames_imotion_skipped: 3 });
    now = 2_000;
    expect(stats.health()).toMatchObject({ status: 'green', since: 1_100 }); // it turned green 1 s after the last problem
    stats.failed('rtsp://cam: the camera hung up');
    now = 2_500;
    stats.started(); // reconnecting: still red until a frame comes
    expect(stats.health()).toMatchObject({ status: 'red', state: 'retrying', since: 2_000, job_starts: 2, last_error: 'rtsp://cam: the camera hung up', last_error_at: 2_000 });
    stats.frameRead();
    expect(stats.health()).toMatchObject({ status: 'yellow', state: 'running', since: 2_500 });
    const letter: DeadLetter = { stage: 'embed', reason: 'model crashed', record: { camera: '7' } };
    stats.deadLetter(letter, deadLetterKind(letter));
    expect(stats.health()).toMatchObject({ faces_failed: 1, frames_dropped: 0, last_error: 'embed: model crashed' });
    stats.disabled();
    expect(stats.health()).toMatchObject({ status: 'grey', processing_fps: 0 });
  });

  it('finds the camera of a record of any topic', () => {
    expect(cameraOf({ camera: 'a' })).toBe('a');
    expect(cameraOf({ frame: { camera: 'b' } })).toBe('b');
    expect(cameraOf({ post: { camera: 'c' } })).toBe('c');
    expect(cameraOf({ embedding: { post: { camera: 'd' } } })).toBe('d');
    expect(cameraOf({ cameras: ['e'] })).toBeNull();
    expect(cameraOf(null)).toBeNull();
    expect(deadLetterKind({ stage: 'detect', reason: '', record: null })).toBe('frame');
    expect(deadLetterKind({ stage: 'match', reason: '', record: null })).toBe('face');
  });
});
