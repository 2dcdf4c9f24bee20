// How many input records the next commit covers: about `intervalMs` of processing at the pace measured so far,
// at most `maxRecords`. A cheap stage (match: tens of µs a record) then commits thousands of records per
// transaction, so the transaction's fixed cost fades; a model stage (detect: tens of ms a frame) commits a few
// frames at a time, so downstream does not wait for a long batch. Kafka Streams' commit.interval.ms, by records.

/** Records of the first commit, before any pace is measured. */
const FIRST_RECORDS = 16;
/** Weight of the latest chunk in the smoothed pace. */
const WEIGHT = 0.3;

export class CommitPace {
  private msPerRecord: number | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly maxRecords: number,
  ) {}

  /** Records the next commit should cover. */
  next(): number {
    if (this.msPerRecord === undefined) return Math.min(this.maxRecords, FIRST_RECORDS);
    return Math.max(1, Math.min(this.maxRecords, Math.floor(this.intervalMs / Math.max(this.msPerRecord, 1e-6))));
  }

  /** `records` took `ms` to decode, process and encode (the commit itself excluded: its cost hardly grows with size). */
  observe(records: number, ms: number): void {
    if (records <= 0) return;
    const pace = ms / records;
    this.msPerRecord = this.msPerRecord === undefined ? pace : this.msPerRecord * (1 - WEIGHT) + pace * WEIGHT;
  }
}
