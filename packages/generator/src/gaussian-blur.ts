// A Gaussian low-pass of an RGB image (separable, mirrored borders), in float64 so that a hybrid's
// low-pass and high-pass parts add back to the image exactly. Hand-written: 30 lines, exact and
// deterministic, where a library blur (sharp) rounds to 8 bits and tfjs would need a padding kernel.

/** Normalised 1-D Gaussian taps for offsets −r … r, r = ceil(3σ) (σ = 0: the identity). */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`gaussianKernel: sigma must be a finite number ≥ 0 (got ${sigma})`);
  if (sigma === 0) return Float64Array.of(1);
  const r = Math.ceil(3 * sigma);
  const taps = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / sum);
}

/** Mirror an index into [0, n): −1 → 0, −2 → 1, n → n − 1 (half-sample symmetric, as scipy's 'reflect'). */
function mirror(i: number, n: number): number {
  const period = 2 * n;
  const k = ((i % period) + period) % period;
  return k < n ? k : period - 1 - k;
}

/** Blur one image [size, size, 3] (any numbers) with a Gaussian of `sigma` pixels; returns float64 [size, size, 3]. */
export function gaussianBlur(image: ArrayLike<number>, size: number, sigma: number): Float64Array {
  if (image.length !== size * size * 3) throw new Error(`gaussianBlur: expected ${size}x${size}x3 = ${size * size * 3} values, got ${image.length}`);
  const taps = gaussianKernel(sigma);
  const r = (taps.length - 1) / 2;
  const rows = new Float64Array(image.length); // blurred along x
  const out = new Float64Array(image.length); // then along y
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += taps[k + r]! * image[(y * size + mirror(x + k, size)) * 3 + c]!;
    rows[(y * size + x) * 3 + c] = s;
  }
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += taps[k + r]! * rows[(mirror(y + k, size) * size + x) * 3 + c]!;
    out[(y * size + x) * 3 + c] = s;
  }
  return out;
}
