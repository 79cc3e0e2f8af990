// One log line per model with the figures a reader compares first (the stage and scripts print it).
import type { ModelMetrics, RealReference } from './evaluate.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function summaryLines(kind: string, m: ModelMetrics, ref: RealReference, hybridRange: [number, number]): string[] {
  const pr = m.classSamples.precisionRecall;
  const lines = [
    `${kind}: hybrids in [${hybridRange.join(', ')}] ${pct(m.hybrids.shareInRange)} (second judge ${pct(m.hybrids.secondJudge.shareInRange)}; calibrated ${pct(m.hybrids.calibratedShareInRange.best)} / ${pct(m.hybrids.calibratedShareInRange.second)}), ` +
      `object judge p(clock)+p(crocodile) ${m.objectAware.hybrids.meanPClockPlusCrocodile.toFixed(3)}; ` +
      `class samples: 2-way ${pct(m.classSamples.classAccuracy.clock)} / ${pct(m.classSamples.classAccuracy.crocodile)}, ` +
      `second ${pct(m.classSamples.secondJudgeAccuracy.clock)} / ${pct(m.classSamples.secondJudgeAccuracy.crocodile)}, ` +
      `12-way top-1 ${pct(m.objectAware.classTop1.clock)} / ${pct(m.objectAware.classTop1.crocodile)}; ` +
      `KID ${m.classSamples.kid.toFixed(4)}, FID ${m.classSamples.fid.toFixed(2)} (12-way features: ${m.objectAware.kid.toFixed(4)}, ${m.objectAware.fid.toFixed(2)}), ` +
      `precision/recall clock ${pr.clock.precision.toFixed(2)}/${pr.clock.recall.toFixed(2)} crocodile ${pr.crocodile.precision.toFixed(2)}/${pr.crocodile.recall.toFixed(2)}, ` +
      `nearest-train median ${m.memorisation.nearestTrain.median} (test images: ${ref.testToTrain.median}), closer than any test image ${m.memorisation.closerThanAnyTestImage}`,
  ];
  for (const [g, v] of Object.entries(m.hybridGroups ?? {})) lines.push(`${kind}: ${g}: ${pct(v.shareInRange)} (second ${pct(v.secondJudgeShareInRange)}), p(clock)+p(crocodile) ${v.meanPClockPlusCrocodile.toFixed(3)}`);
  return lines;
}

/** The same figures for the real test images: the ceiling class samples are read against. */
export function referenceLine(ref: RealReference, hybridRange: [number, number]): string {
  const t = ref.realTest;
  return `real test images (${t.count}): in [${hybridRange.join(', ')}] ${pct(t.shareInRange.best)} (second judge ${pct(t.shareInRange.second)}; calibrated ${pct(t.calibratedShareInRange.best)} / ${pct(t.calibratedShareInRange.second)}), ` +
    `object judge p(clock)+p(crocodile) ${t.meanPClockPlusCrocodile.toFixed(3)}; as their class: 2-way ${pct(t.accuracy.best.clock)} / ${pct(t.accuracy.best.crocodile)}, ` +
    `second ${pct(t.accuracy.second.clock)} / ${pct(t.accuracy.second.crocodile)}, 12-way top-1 ${pct(t.accuracy.objectTop1.clock)} / ${pct(t.accuracy.objectTop1.crocodile)}; ` +
    `FID/KID vs train ${ref.realFloor.fid.toFixed(2)} / ${ref.realFloor.kid.toFixed(4)} (12-way features ${ref.objectFloor.fid.toFixed(2)} / ${ref.objectFloor.kid.toFixed(4)})`;
}
