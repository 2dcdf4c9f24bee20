// The principal axes of a set of vectors: the eigenvectors of their second-moment matrix (not centred: scores are
// dot products of the vectors themselves), strongest first. The projected index (projected-index.ts) keeps the
// first few dozen of them, the directions in which faces differ most, to rank a large gallery on short codes.
// The moments are one onnxruntime product; the eigenvectors come from a Householder reduction to tridiagonal form
// and implicit QL iterations (the classic tred2/tqli pair), O(dim³) flops, ~0.8 s at dim 512 in JS where cyclic
// Jacobi rotations took ~10 s.
import { createPairScores } from './gemm-scores.ts';

/** Second moments Σ x xᵀ / n of `count` rows of `dim` floats back to back, as float64 (row-major dim × dim). */
async function secondMoments(rows: Float32Array, dim: number, count: number): Promise<Float64Array> {
  // columns of the rows as rows, so one product queries × galleryᵀ gives every pair of coordinates
  const columns = new Float32Array(dim * count);
  for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) columns[j * count + r] = rows[r * dim + j]!;
  const gemm = await createPairScores(count);
  try {
    const products = await gemm.scores(columns, dim, columns, dim);
    return Float64Array.from(products, (v) => v / Math.max(1, count));
  } finally {
    await gemm.close();
  }
}

/**
 * Eigen-decomposition of a symmetric matrix (row-major n × n; not changed): eigenvalues descending, with the
 * matching unit eigenvectors as rows of `axes` (n × n).
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; axes: Float64Array } {
  // 1-based working copies keep the textbook recurrences readable
  const a: Float64Array[] = Array.from({ length: n + 1 }, (_, i) => {
    const row = new Float64Array(n + 1);
    if (i > 0) for (let j = 1; j <= n; j++) row[j] = matrix[(i - 1) * n + (j - 1)]!;
    return row;
  });
  const d = new Float64Array(n + 1);
  const e = new Float64Array(n + 1);
  tridiagonalise(a, n, d, e);
  diagonalise(a, n, d, e);
  const order = Array.from({ length: n }, (_, i) => i + 1).sort((i, j) => d[j]! - d[i]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const axes = new Float64Array(n * n);
  order.forEach((col, r) => {
    for (let k = 1; k <= n; k++) axes[r * n + (k - 1)] = a[k]![col]!;
  });
  return { values, axes };
}

/** Householder reduction: a (symmetric) becomes the orthogonal Q, d the diagonal and e the sub-diagonal (e[1] = 0). */
function tridiagonalise(a: Float64Array[], n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n; i >= 2; i--) {
    const ai = a[i]!;
    const l = i - 1;
    let h = 0;
    if (l > 1) {
      let scale = 0;
      for (let k = 1; k <= l; k++) scale += Math.abs(ai[k]!);
      if (scale === 0) {
        e[i] = ai[l]!;
      } else {
        for (let k = 1; k <= l; k++) {
          ai[k]! /= scale;
          h += ai[k]! * ai[k]!;
        }
        let f = ai[l]!;
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        ai[l] = f - g;
        f = 0;
        for (let j = 1; j <= l; j++) {
          const aj = a[j]!;
          aj[i] = ai[j]! / h;
          g = 0;
          for (let k = 1; k <= j; k++) g += aj[k]! * ai[k]!;
          for (let k = j + 1; k <= l; k++) g += a[k]![j]! * ai[k]!;
          e[j] = g / h;
          f += e[j]! * ai[j]!;
        }
        const hh = f / (h + h);
        for (let j = 1; j <= l; j++) {
          const aj = a[j]!;
          f = ai[j]!;
          g = e[j]! - hh * f;
          e[j] = g;
          for (let k = 1; k <= j; k++) aj[k]! -= f * e[k]! + g * ai[k]!;
        }
      }
    } else {
      e[i] = ai[l]!;
    }
    d[i] = h;
  }
  d[1] = 0;
  e[1] = 0;
  // accumulate the transformations into Q
  for (let i = 1; i <= n; i++) {
    const ai = a[i]!;
    const l = i - 1;
    if (d[i] !== 0) {
      for (let j = 1; j <= l; j++) {
        let g = 0;
        for (let k = 1; k <= l; k++) g += ai[k]! * a[k]![j]!;
        for (let k = 1; k <= l; k++) a[k]![j]! -= g * a[k]![i]!;
      }
    }
    d[i] = ai[i]!;
    ai[i] = 1;
    for (let j = 1; j <= l; j++) {
      a[j]![i] = 0;
      ai[j] = 0;
    }
  }
}

/** Implicit QL with shifts on the tridiagonal (d, e): d becomes the eigenvalues, z's columns the eigenvectors. */
function diagonalise(z: Float64Array[], n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 2; i <= n; i++) e[i - 1] = e[i]!;
  e[n] = 0;
  for (let l = 1; l <= n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m <= n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new Error('eigen-decomposition did not converge');
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          for (let k = 1; k <= n; k++) {
            const zk = z[k]!;
            f = zk[i + 1]!;
            zk[i + 1] = s * zk[i]! + c * f;
            zk[i] = c * zk[i]! - s * f;
          }
        }
        if (r === 0 && i >= l) continue;
        d[l]! -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

/** The `keep` strongest principal axes of the rows, as float32 rows (keep × dim). */
export async function principalAxes(rows: Float32Array, dim: number, count: number, keep: number): Promise<Float32Array> {
  const { axes } = symmetricEigen(await secondMoments(rows, dim, count), dim);
  return Float32Array.from(axes.subarray(0, keep * dim));
}
