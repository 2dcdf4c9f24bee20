// Builds WHERE clauses with bound parameters ({name:Type}), never by pasting values into SQL.

export class SqlConditions {
  readonly parts: string[] = [];
  readonly params: Record<string, unknown> = {};
  private n = 0;

  /** a placeholder for `value` of ClickHouse type `type` */
  param(value: unknown, type: string): string {
    const name = `p${this.n++}`;
    this.params[name] = value;
    return `{${name}:${type}}`;
  }

  add(condition: string): void {
    this.parts.push(condition);
  }

  /** `column IN (…)` when `values` is given (an empty list matches nothing) */
  in(column: string, values: readonly string[] | undefined): void {
    if (values === undefined) return;
    this.add(`${column} IN ${this.param(values, 'Array(String)')}`);
  }

  /** `min ≤ column ≤ max`, each bound when given */
  range(column: string, range: { readonly min?: number; readonly max?: number } | undefined): void {
    if (range?.min !== undefined) this.add(`${column} >= ${this.param(range.min, 'Float64')}`);
    if (range?.max !== undefined) this.add(`${column} <= ${this.param(range.max, 'Float64')}`);
  }

  /** `from ≤ column < to` for a DateTime/DateTime64 column, bounds in ms since the epoch */
  timeRange(column: string, from: number | undefined, to: number | undefined): void {
    if (from !== undefined) this.add(`${column} >= ${this.msTime(from)}`);
    if (to !== undefined) this.add(`${column} < ${this.msTime(to)}`);
  }

  /** a DateTime64(3, 'UTC') expression for `ms` */
  msTime(ms: number): string {
    return `fromUnixTimestamp64Milli(${this.param(Math.round(ms), 'Int64')}, 'UTC')`;
  }

  /** the WHERE clause of the conditions, with `extra` ones for this query only */
  where(extra: readonly string[] = []): string {
    const parts = [...this.parts, ...extra];
    return parts.length === 0 ? '' : `WHERE ${parts.join('\n  AND ')}`;
  }
}
