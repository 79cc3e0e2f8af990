// Judge sample sets written by the probes (not part of the stage): <dir>/clock.u8, crocodile.u8 and
// hybrid-<method>.u8 (uint8 [n, 32, 32, 3]) under the 2-way best classifier, the from-scratch cnn,
// the 12-way object judge (hybrids: the window on raw and on calibrated p, σ(logit(p) / T)), plus memorisation (nearest training image, RMS pixels) against the real
// test images' figures.
// CVC_THREADS=1 nice -n 10 npx tsx packages/generator/scripts/judge-samples.ts <dir> [<dir> ...]
// env: JUDGE_MODELS (classifier models dir), OBJECT_JUDGE (12-way model dir)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { readImageDataset } from '@cvc/core';
import { initCompute, tf } from '@cvc/core/backend';
import { loadClassifierModel } from '@cvc/vision';
import { loadLayersModel } from '@cvc/core/formats/tfjs-model';
import { judgeFromModel, type Judge } from '../src/judge.ts';
import { calibrated } from '../src/evaluate.ts';

await initCompute();
const P = 32 * 32 * 3;
const modelsDir = process.env['JUDGE_MODELS'] ?? '/work/main/artifacts/classifier/models';
const judges: Judge[] = [];
for (const name of ['resnet', 'cnn']) {
  const dir = join(modelsDir, name, 'full');
  if (!existsSync(join(dir, 'model.json'))) { console.log(`(no ${dir})`); continue; }
  const { model, metadata } = await loadClassifierModel(dir);
  judges.push(judgeFromModel(tf, name, model, metadata, dir));
}
const objectDir = process.env['OBJECT_JUDGE'] ?? '/work/wt-gen-metrics/artifacts/object-judge/model';
let objectJudge: ((images: Uint8Array) => Float32Array) | undefined;
if (existsSync(join(objectDir, 'model.json'))) {
  const { model, metadata } = await loadLayersModel<{ normalization: { mean: number[]; std: number[] }; classes: string[] }>(tf, objectDir);
  const k = metadata.classes.length;
  objectJudge = (images) => {
    const n = images.length / P;
    const out = new Float32Array(n * k);
    for (let s = 0; s < n; s += 128) {
      const m = Math.min(128, n - s);
      const probs = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(s * P, (s + m) * P), [m, 32, 32, 3], 'float32');
        const input = tf.div(tf.sub(tf.div(x, 255), tf.tensor1d(metadata.normalization.mean)), tf.tensor1d(metadata.normalization.std));
        return tf.softmax(model.predict(input) as tfTypes.Tensor2D).dataSync() as Float32Array;
      });
      out.set(probs, s * k);
    }
    return out;
  };
}

const dataset = readImageDataset('artifacts/data-prep/dataset');
const { splits } = dataset.manifest;
const pick = (idx: number[]) => { const o = new Uint8Array(idx.length * P); idx.forEach((i, k) => o.set(dataset.images.subarray(i * P, (i + 1) * P), k * P)); return o; };
const train = pick(splits.train);
const test = pick(splits.test);
/** RMS pixel distance (0–1) of each image to its nearest training image. */
function nearestTrain(images: Uint8Array): Float32Array {
  const n = images.length / P, m = train.length / P;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < P; p++) { const d = images[i * P + p]! - train[j * P + p]!; s += d * d; if (s >= best) break; }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best / P) / 255;
  }
  return out;
}
const median = (a: Float32Array) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const testNear = nearestTrain(test);
const testMin = Math.min(...testNear);
console.log(`real test images: nearest-train RMS median ${median(testNear).toFixed(3)}, min ${testMin.toFixed(3)}`);
const testLabels = splits.test.map((i) => dataset.manifest.labels[i]!);
function objectTop1(images: Uint8Array, cls: number): string {
  if (!objectJudge) return '';
  const p = objectJudge(images);
  const n = images.length / P;
  let hits = 0, both = 0;
  for (let i = 0; i < n; i++) {
    const row = p.subarray(i * 12, (i + 1) * 12);
    if (row.indexOf(Math.max(...row)) === cls) hits++;
    both += row[10]! + row[11]!;
  }
  return `12-way top-1 ${((100 * hits) / n).toFixed(0)}% p(clock)+p(croc) ${(both / n).toFixed(2)}`;
}
{
  const clocks = pick(splits.test.filter((_, k) => testLabels[k] === 0));
  const crocs = pick(splits.test.filter((_, k) => testLabels[k] === 1));
  console.log(`real test clocks: ${objectTop1(clocks, 10)}; crocodiles: ${objectTop1(crocs, 11)}`);
}

for (const dir of process.argv.slice(2)) {
  console.log(`\n== ${dir}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.u8')).sort();
  for (const f of files) {
    const images = new Uint8Array(readFileSync(join(dir, f)));
    const n = images.length / P;
    const kind = f.replace(/\.u8$/, '');
    const parts: string[] = [`${kind} (${n})`];
    for (const j of judges) {
      const p = j.judge(images, n).pCrocodile;
      if (kind === 'clock') parts.push(`${j.name} clock ${((100 * p.filter((v) => v < 0.5).length) / n).toFixed(0)}%`);
      else if (kind === 'crocodile') parts.push(`${j.name} crocodile ${((100 * p.filter((v) => v >= 0.5).length) / n).toFixed(0)}%`);
      else {
        const inWindow = (q: Float32Array) => ((100 * q.filter((v) => v >= 0.3 && v <= 0.7).length) / n).toFixed(0);
        parts.push(`${j.name} in [0.3, 0.7] ${inWindow(p)}%, calibrated ${inWindow(calibrated(p, j.temperature))}% (median p ${median(p).toFixed(2)})`);
      }
    }
    parts.push(objectTop1(images, kind === 'clock' ? 10 : kind === 'crocodile' ? 11 : -1));
    const near = nearestTrain(images);
    parts.push(`nearest-train median ${median(near).toFixed(3)}, below test min ${near.filter((v) => v < testMin).length}`);
    console.log(parts.join(' | '));
  }
}
