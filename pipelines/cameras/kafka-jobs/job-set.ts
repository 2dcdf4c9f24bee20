// What an ingest worker runs, decided from the `cameras` records of its partitions: pure, no processes, no Kafka.
// A job enabled and new → start; a newer version that changes what the child runs → restart that camera only; a
// tombstone or a disabled job → stop; a partition no longer assigned → stop its cameras. A record already applied
// (the same version again, read anew after a rebalance) or older than the running job changes nothing.
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';

export type JobAction =
  | { readonly kind: 'start'; readonly job: CameraJob }
  | { readonly kind: 'restart'; readonly job: CameraJob }
  | { readonly kind: 'stop'; readonly cameraId: string; readonly cause: StopCause; readonly reason: string };

/** why a camera stops here: its job is gone or disabled, or it moved to another worker */
export type StopCause = 'deleted' | 'disabled' | 'revoked';

interface Running {
  readonly job: CameraJob;
  readonly partition: number;
}

export class CameraJobSet {
  private readonly running = new Map<string, Running>();

  /** the cameras running, by id */
  get cameras(): readonly string[] {
    return [...this.running.keys()];
  }

  get size(): number {
    return this.running.size;
  }

  /** A record of `partition`: key = camera id, value = its job or null (tombstone). */
  apply(partition: number, cameraId: string, job: CameraJob | null): JobAction[] {
    return this.applyAll(partition, [{ cameraId, job }]);
  }

  /**
   * Records of `partition` in their order, acted on as a whole: what changes is what runs after them against what
   * ran before, so a partition read again from its start (after a rebalance, or a worker's start) does not start a
   * camera for a job that a later record in the same batch disables or deletes.
   */
  applyAll(partition: number, records: ReadonlyArray<{ readonly cameraId: string; readonly job: CameraJob | null }>): JobAction[] {
    const before = new Map<string, CameraJob | undefined>();
    const last = new Map<string, CameraJob | null>();
    for (const { cameraId, job } of records) {
      if (!before.has(cameraId)) before.set(cameraId, this.running.get(cameraId)?.job);
      last.set(cameraId, job);
      this.applyOne(partition, cameraId, job);
    }
    const actions: JobAction[] = [];
    for (const [cameraId, was] of before) {
      const now = this.running.get(cameraId)?.job;
      if (!was && now) actions.push({ kind: 'start', job: now });
      else if (was && !now) {
        const cause = last.get(cameraId) === null ? 'deleted' : 'disabled';
        actions.push({ kind: 'stop', cameraId, cause, reason: cause });
      } else if (was && now && !sameRun(was, now)) actions.push({ kind: 'restart', job: now });
    }
    return actions;
  }

  private applyOne(partition: number, cameraId: string, job: CameraJob | null): void {
    const current = this.running.get(cameraId);
    if (job === null || !job.enabled) {
      if (current && (job === null || job.version >= current.job.version)) this.running.delete(cameraId);
      return;
    }
    if (!current || job.version > current.job.version) this.running.set(cameraId, { job, partition });
  }

  /** The partitions assigned now: the cameras of any other partition stop. */
  assigned(partitions: readonly number[]): JobAction[] {
    const kept = new Set(partitions);
    const actions: JobAction[] = [];
    for (const [cameraId, { partition }] of this.running) {
      if (kept.has(partition)) continue;
      this.running.delete(cameraId);
      actions.push({ kind: 'stop', cameraId, cause: 'revoked', reason: `partition ${partition} revoked` });
    }
    return actions;
  }
}

/** Whether the child started for `a` runs `b` as well: the same source and settings (a new name is only a label). */
function sameRun(a: CameraJob, b: CameraJob): boolean {
  return a.url === b.url && a.fps === b.fps && a.group === b.group && a.restarts === b.restarts && sameSettings(a.settings, b.settings);
}

function sameSettings(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
