// resnet-classifier: the classifier stage's resnet ensemble (3 members at the shipped params)
// trained with the stage's own `train()` loop on the 720 training images, batch 32, its recipe
// (flips, pad-3 crops, cutout 8, SGD Nesterov + decoupled weight decay, warm-up + cosine LR,
// label smoothing); each member trains alone on its sub-model, one after another, as in the stage.
// Figure: one epoch of the ensemble = Σ over members of the median of epochs 2..E (epoch 1 is
// warm-up; E = --epochs, default 3).
import { createRng } from '@cvc/core';
import { normalised, stageParams, trainingSplit } from '../data.ts';
import { counters, median, round, since, threadSplit, weightsFnv } from '../measure.ts';
import { buildModel, classifierParams, trainClassifier } from '../models.ts';
import type { RunOptions, WorkloadResult } from './types.ts';

export function classifierResnetSpec() {
  const params = classifierParams.parse(stageParams('classifier'));
  const spec = params.models.find((m) => m.name === 'resnet'); // the pretrained ensemble (resnet-scratch is one network)
  if (!spec) throw new Error('pipelines/clocks-vs-crocodiles.yaml: the classifier has no model named resnet');
  return { spec, batchSize: params.batchSize };
}

/** What the twin needs: the architecture, ensemble size, batch and training recipe. */
export function classifierTwinConfig() {
  const { spec, batchSize } = classifierResnetSpec();
  return { ...spec.architecture, ensemble: spec.ensemble, batchSize, training: spec.training };
}

export async function resnetClassifier(o: RunOptions): Promise<WorkloadResult> {
  const { spec, batchSize } = classifierResnetSpec();
  const epochs = Math.max(1, o.epochs ?? 3);
  const data = trainingSplit(o.synthetic);
  const x = normalised(data);
  const members = spec.ensemble;
  const model = buildModel(spec.architecture, Array.from({ length: members }, (_, m) => 100 + m));
  const indices = data.labels.map((_, i) => i);
  const perMember: number[][] = [];
  let loss = 0;
  const c0 = counters(o.addon);
  let measured = 0;
  let cTimed = { ...c0 };
  for (let m = 0; m < members; m++) {
    const times: number[] = [];
    let t = performance.now();
    let cEpoch = counters(o.addon);
    const history = await trainClassifier({
      model, x, size: 32, labels: data.labels, train: indices, epochs, batchSize,
      training: spec.training, rng: createRng(200 + m), ...(members > 1 ? { member: m } : {}),
      // One call per epoch, after its validation pass (as the stage's epoch line).
      report: {
        resume: () => {},
        batch: () => {},
        epoch: () => {
          const now = performance.now();
          times.push((now - t) / 1000);
          const c = counters(o.addon);
          // Counters of the timed epochs (2..E) only, summed over members.
          if (epochs === 1 || times.length > 1) { const d = since(cEpoch, c); for (const k of Object.keys(d) as (keyof typeof d)[]) cTimed[k] += d[k]; measured++; }
          cEpoch = c;
          t = now;
        },
      },
    });
    perMember.push(times);
    loss += history.at(-1)!.trainLoss / members;
  }
  const seconds = perMember.reduce((s, times) => s + median(epochs === 1 ? times : times.slice(1)), 0);
  // cTimed accumulated the deltas on top of c0: average per ensemble epoch.
  const d = since(c0, cTimed);
  const perEpoch = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / Math.max(1, measured / members)])) as unknown as typeof d;
  const hash = weightsFnv(model.weights.map((w: { read(): import("@tensorflow/tfjs").Tensor }) => w.read()));
  model.dispose();
  const config = classifierTwinConfig();
  return {
    seconds, unit: `one epoch of the ${members}-member ensemble: ${members} × ${Math.ceil(indices.length / batchSize)} steps of batch ${batchSize} (median of epochs ${epochs === 1 ? 1 : `2..${epochs}`} per member)`,
    images: indices.length * members, loss, weightsFnv: hash, data: data.source,
    extra: { memberEpochSeconds: perMember.map((ts) => ts.map((s) => round(s, 3))), ...threadSplit(perEpoch, o.threads, !!o.addon) },
    twin: { script: 'resnet_classifier.py', args: ['--config', JSON.stringify(config), '--epochs', String(epochs)], data },
  };
}
