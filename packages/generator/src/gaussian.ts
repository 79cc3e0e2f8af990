// A Gaussian fitted to a few hundred points in a few dozen dimensions: the sample mean and covariance
// shrunk toward its mean variance (Ledoit–Wolf-style, fixed intensity), as a Cholesky factor.

/** Mean [d] and lower-triangular Cholesky factor [d, d] (row-major) of the points `members` of `points` ([n, d] row-major). */
export function fitGaussian(points: Float32Array, members: number[], d: number, shrinkage: number): { mean: Float32Array; chol: Float32Array } {
  const n = members.length;
  if (n < 2) throw new Error(`fitGaussian: needs at least 2 points, got ${n}`);
  if (!(shrinkage >= 0 && shrinkage <= 1)) throw new Error(`fitGaussian: shrinkage must be in [0, 1], got ${shrinkage}`);
  const mean = new Float64Array(d);
  for (const i of members) for (let j = 0; j < d; j++) mean[j]! += points[i * d + j]! / n;
  const cov = new Float64Array(d * d); // lower triangle
  for (const i of members) {
    for (let a = 0; a < d; a++) {
      const da = points[i * d + a]! - mean[a]!;
      for (let b = 0; b <= a; b++) cov[a * d + b]! += (da * (points[i * d + b]! - mean[b]!)) / (n - 1);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a]!;
  const target = trace / d;
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) cov[a * d + b] = (1 - shrinkage) * cov[a * d + b]! + (a === b ? shrinkage * target : 0);
  const L = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = cov[a * d + b]!;
      for (let k = 0; k < b; k++) s -= L[a * d + k]! * L[b * d + k]!;
      // A rank-deficient covariance (shrinkage 0, fewer points than dimensions) gets a tiny floor on the diagonal.
      L[a * d + b] = a === b ? Math.sqrt(Math.max(s, 1e-12 * (target || 1))) : s / L[b * d + b]!;
    }
  }
  return { mean: Float32Array.from(mean), chol: Float32Array.from(L) };
}
