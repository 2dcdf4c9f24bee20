// Assignment of detections to tracks. Pure functions over a cost matrix where `Infinity` marks a forbidden
// pair; both return the pairs sorted by row, so callers get a deterministic order.

export interface Pair {
  readonly row: number;
  readonly col: number;
}

/** Rows × cols costs, row-major. */
export interface CostMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly cost: Float64Array;
}

/**
 * Greedy by cost: repeatedly take the cheapest allowed pair whose row and column are still free.
 * Ties go to the lower row, then the lower column.
 */
export function assignGreedy(m: CostMatrix): Pair[] {
  const order: number[] = [];
  for (let i = 0; i < m.cost.length; i++) if (Number.isFinite(m.cost[i])) order.push(i);
  order.sort((a, b) => (m.cost[a] as number) - (m.cost[b] as number) || a - b);
  const rowUsed = new Uint8Array(m.rows);
  const colUsed = new Uint8Array(m.cols);
  const pairs: Pair[] = [];
  for (const i of order) {
    const row = Math.floor(i / m.cols);
    const col = i % m.cols;
    if (rowUsed[row] || colUsed[col]) continue;
    rowUsed[row] = 1;
    colUsed[col] = 1;
    pairs.push({ row, col });
  }
  return pairs.sort((a, b) => a.row - b.row);
}

/**
 * Optimal assignment (Hungarian method, O(n²m)). Forbidden pairs get a penalty larger than any sum of
 * allowed costs, so the result first maximises the number of allowed pairs, then minimises their cost;
 * forbidden pairs it had to use are dropped.
 */
export function assignOptimal(m: CostMatrix): Pair[] {
  if (m.rows === 0 || m.cols === 0) return [];
  let maxAllowed = 0;
  for (const c of m.cost) if (Number.isFinite(c)) maxAllowed = Math.max(maxAllowed, Math.abs(c));
  const penalty = (maxAllowed + 1) * (Math.min(m.rows, m.cols) + 1);
  // The method needs rows ≤ cols; transpose otherwise.
  const transposed = m.rows > m.cols;
  const n = transposed ? m.cols : m.rows;
  const k = transposed ? m.rows : m.cols;
  const at = (r: number, c: number): number => {
    const v = transposed ? m.cost[c * m.cols + r] : m.cost[r * m.cols + c];
    return v === undefined || !Number.isFinite(v) ? penalty : v;
  };
  // 1-based potentials and matching, as in the classic formulation.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(k + 1);
  const p = new Int32Array(k + 1);
  const way = new Int32Array(k + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(k + 1).fill(Infinity);
    const used = new Uint8Array(k + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0] as number;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= k; j++) {
        if (used[j]) continue;
        const cur = at(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (cur < (minv[j] as number)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= k; j++) {
        if (used[j]) {
          u[p[j] as number] = (u[p[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      p[j0] = p[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: Pair[] = [];
  for (let j = 1; j <= k; j++) {
    const i = p[j] as number;
    if (i === 0) continue;
    const row = transposed ? j - 1 : i - 1;
    const col = transposed ? i - 1 : j - 1;
    if (Number.isFinite(m.cost[row * m.cols + col])) pairs.push({ row, col });
  }
  return pairs.sort((a, b) => a.row - b.row);
}
