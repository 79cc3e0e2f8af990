// Row-major embedding matrices and the distances every scorer uses. Float64 throughout:
// the features come in as float32, sums over hundreds of dimensions are kept exact enough.

export interface Matrix {
  /** [rows, dim] row-major. */
  data: Float64Array;
  rows: number;
  dim: number;
}

export function matrix(data: ArrayLike<number>, rows: number, dim: number): Matrix {
  if (data.length !== rows * dim) throw new Error(`matrix: ${data.length} values do not fill [${rows}, ${dim}]`);
  return { data: Float64Array.from(data), rows, dim };
}

export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = a[j]! - b[j]!;
    s += d * d;
  }
  return s;
}

/** Mean of the rows listed in `indices` ([dim]). */
export function meanOf(m: Matrix, indices: readonly number[]): Float64Array {
  if (indices.length === 0) throw new Error('meanOf: no rows');
  const out = new Float64Array(m.dim);
  for (const i of indices) {
    const r = row(m, i);
    for (let j = 0; j < m.dim; j++) out[j]! += r[j]!;
  }
  for (let j = 0; j < m.dim; j++) out[j]! /= indices.length;
  return out;
}

/** Rows scaled to unit length (zero rows stay zero): Euclidean order then equals cosine order. */
export function l2Normalized(m: Matrix): Matrix {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const r = row(m, i);
    const norm = Math.sqrt(squaredDistance(r, new Float64Array(m.dim)));
    for (let j = 0; j < m.dim; j++) out[i * m.dim + j] = norm > 0 ? r[j]! / norm : 0;
  }
  return { data: out, rows: m.rows, dim: m.dim };
}

export interface Neighbour {
  index: number;
  distance: number;
}

/** The k nearest rows of `m` to `query` (Euclidean), nearest first; ties by index. `exclude` is skipped. */
export function nearest(m: Matrix, query: ArrayLike<number>, k: number, exclude = -1): Neighbour[] {
  const all: Neighbour[] = [];
  for (let i = 0; i < m.rows; i++) {
    if (i === exclude) continue;
    all.push({ index: i, distance: Math.sqrt(squaredDistance(row(m, i), query)) });
  }
  all.sort((a, b) => a.distance - b.distance || a.index - b.index);
  return all.slice(0, k);
}

/** k nearest neighbours of every row among the other rows. */
export function allNearest(m: Matrix, k: number): Neighbour[][] {
  return Array.from({ length: m.rows }, (_, i) => nearest(m, row(m, i), k, i));
}
