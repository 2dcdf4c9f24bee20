import { describe, expect, it } from 'vitest';
import { CameraStats } from './stats.ts';
import { cameraStatusOf } from './status.ts';
import { healthNow } from './status-follower.ts';

describe('healthNow', () => {
  const t0 = 1_800_000_000_000;
  const running = () => {
    const stats = new CameraStats(() => t0);
    stats.started();
    stats.frameRead();
    return cameraStatusOf('7', stats.health(), t0, 'ingest-1');
  };

  it("is the worker's record while it is fresh", () => {
    expect(healthNow(running(), t0 + 20_000, 20_000)).toMatchObject({ status: 'yellow', state: 'running', last_error: null, job_starts: 1 });
  });

  it('turns red, naming the worker, once a camera at work has had no record for too long', () => {
    expect(healthNow(running(), t0 + 20_001, 20_000)).toMatchObject({
      status: 'red',
      state: 'retrying',
      since: t0 + 20_000,
      last_error: `no status from ingest worker ingest-1 since ${new Date(t0).toISOString()}`,
    });
  });

  it('keeps a disabled camera grey: its worker reports it once', () => {
    const stats = new CameraStats(() => t0);
    stats.disabled();
    expect(healthNow(cameraStatusOf('7', stats.health(), t0, 'ingest-1'), t0 + 3_600_000, 20_000)).toMatchObject({ status: 'grey', state: 'disabled' });
  });
});
