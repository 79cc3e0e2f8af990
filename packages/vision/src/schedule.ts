// Learning-rate schedules as pure functions of the step.

/** constant, or a linear warm-up over `warmupSteps` then cosine decay to 0 at `totalSteps` (Loshchilov & Hutter 2017). */
export function learningRateAt(step: number, totalSteps: number, warmupSteps: number, base: number, schedule: 'constant' | 'cosine'): number {
  if (schedule === 'constant') return base;
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const t = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(1, t)));
}
