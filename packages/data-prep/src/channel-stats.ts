// Per-channel mean and standard deviation of RGB images, in [0, 1] units.

/** images: [N, H, W, 3] uint8; only the images listed in `indices` count. */
export function channelStats(images: Uint8Array, pixelsPerImage: number, indices: readonly number[]): { mean: [number, number, number]; std: [number, number, number] } {
  const sum = [0, 0, 0];
  const sumSquares = [0, 0, 0];
  for (const index of indices) {
    const base = index * pixelsPerImage * 3;
    for (let p = 0; p < pixelsPerImage; p++) {
      for (let c = 0; c < 3; c++) {
        const v = images[base + p * 3 + c]! / 255;
        sum[c]! += v;
        sumSquares[c]! += v * v;
      }
    }
  }
  const n = indices.length * pixelsPerImage;
  const round = (v: number): number => Number(v.toFixed(6));
  const mean = sum.map((s) => s / n);
  const std = sumSquares.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c]! ** 2)));
  return { mean: mean.map(round) as [number, number, number], std: std.map(round) as [number, number, number] };
}
