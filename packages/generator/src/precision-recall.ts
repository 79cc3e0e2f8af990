// Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019): each set's manifold is the union
// of balls around its points with radius = the distance to the point's k-th nearest neighbour in the
// same set. Precision = share of generated samples inside the real manifold (are they realistic?);
// recall = share of real images inside the generated manifold (is the data's variety covered?).
// Features are rows of a row-major [n, dim] array.

function squaredDistance(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const diff = a[i * dim + d]! - b[j * dim + d]!;
    s += diff * diff;
  }
  return s;
}

/** Squared distance of each row to its k-th nearest other row (k ≥ 1). */
export function kthNeighbourRadii(x: Float32Array, dim: number, k: number): Float64Array {
  const n = x.length / dim;
  if (n <= k) throw new Error(`precision/recall: k = ${k} nearest neighbours need more than ${k} points in a set (got ${n})`);
  const radii = new Float64Array(n);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < n; j++) if (j !== i) row[m++] = squaredDistance(x, i, x, j, dim);
    radii[i] = row.slice().sort()[k - 1]!;
  }
  return radii;
}

/** Share of `queries` rows inside the manifold of `support` (a ball of squared radius radii[j] around each support row j). */
function coverage(queries: Float32Array, support: Float32Array, radii: Float64Array, dim: number): number {
  const nq = queries.length / dim;
  const ns = support.length / dim;
  let inside = 0;
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < ns; j++) {
      if (squaredDistance(queries, i, support, j, dim) <= radii[j]!) { inside++; break; }
    }
  }
  return inside / nq;
}

export function precisionRecall(real: Float32Array, generated: Float32Array, dim: number, k = 3): { precision: number; recall: number } {
  return {
    precision: coverage(generated, real, kthNeighbourRadii(real, dim, k), dim),
    recall: coverage(real, generated, kthNeighbourRadii(generated, dim, k), dim),
  };
}
