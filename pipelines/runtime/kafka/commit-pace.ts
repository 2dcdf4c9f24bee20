// How many input records the next commit covers. Two costs pull apart: a commit (one transaction) has a fixed
// cost of tens of ms, so small commits waste the stage's time; and downstream sees nothing of a chunk until it is
// committed, so large ones add latency. The next commit covers whichever is longer — `intervalMs` of processing,
// or `overheadRatio` times what a commit has been taking (commits then cost at most ~1/overheadRatio of the time)
// — at the pace measured so far, at most `maxRecords`. A cheap stage (match: tens of µs a record) commits
// thousands of records at once; a model stage (detect: tens of ms a frame) a few frames. Kafka Streams'
// commit.interval.ms, counted in records and aware of the commit's own cost.

/** Records of the first commit, before any pace is measured. */
const FIRST_RECORDS = 16;
/** Weight of the latest measurement in the smoothed paces. */
const WEIGHT = 0.3;

const smooth = (previous: number | undefined, latest: number) => (previous === undefined ? latest : previous * (1 - WEIGHT) + latest * WEIGHT);

export class CommitPace {
  private msPerRecord: number | undefined;
  private commitMs: number | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly maxRecords: number,
    private readonly overheadRatio = 4,
  ) {}

  /** Records the next commit should cover. */
  next(): number {
    if (this.msPerRecord === undefined) return Math.min(this.maxRecords, FIRST_RECORDS);
    const budgetMs = Math.max(this.intervalMs, this.overheadRatio * (this.commitMs ?? 0));
    return Math.max(1, Math.min(this.maxRecords, Math.floor(budgetMs / Math.max(this.msPerRecord, 1e-6))));
  }

  /** `records` took `ms` to decode, process and encode (the commit itself excluded). */
  observe(records: number, ms: number): void {
    if (records > 0) this.msPerRecord = smooth(this.msPerRecord, ms / records);
  }

  /** A commit took `ms`. */
  observeCommit(ms: number): void {
    this.commitMs = smooth(this.commitMs, ms);
  }
}
