// MODEL_CARD.md: what the models are, how they were evaluated, and the figures.
import type { DatasetManifest } from '@cvc/core';
import type { ModelMetrics } from './evaluate.ts';
import type { ModelSpec } from './params.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function describe(spec: ModelSpec): string {
  const a = spec.architecture;
  const t = spec.training;
  const arch =
    a.kind === 'shallow'
      ? `flatten → ${a.hidden.map((h) => `dense ${h} + LeakyReLU(0.1)`).join(' → ')} → dense 1 (sigmoid)`
      : a.kind === 'cnn'
        ? `5 convs 3x3 (${a.filters.join(', ')}) + LeakyReLU(0.1), max-pool after the first 3 → global average pool → dense ${a.dense} ReLU → dense 1 (sigmoid)`
        : `ResNet: stem conv 3x3 ${a.widths[0]} + batch norm${a.stemPool ? ' + max-pool' : ''}, ${a.widths.length} stages (${a.widths.join(', ')}) × ${a.blocksPerStage} basic block(s) with batch norm and LeakyReLU(0.1) → global average pool → dense ${a.dense} ReLU → dense 1 (sigmoid)`;
  const aug = [
    t.augment.flip ? 'horizontal flips' : '',
    t.augment.pad ? `pad ${t.augment.pad} + random crop` : '',
    t.augment.cutout ? `cutout ${t.augment.cutout}px` : '',
    t.mix.kind !== 'none' ? `${t.mix.kind} (α = ${t.mix.alpha})` : '',
  ].filter(Boolean).join(', ') || 'none';
  const optimizer = t.optimizer === 'sgd' ? 'SGD + Nesterov momentum 0.9' : 'Adam';
  const tta = [t.tta ? 'flips' : '', t.ttaShift ? `shifts of ${t.ttaShift}px` : ''].filter(Boolean).join(' + ') || 'none';
  return (
    `- **${spec.name}** — ${arch}${'dropout' in a && a.dropout ? `; dropout ${a.dropout} before the output` : ''}. ` +
    `${optimizer} lr ${t.learningRate} (${t.schedule}${t.schedule === 'cosine' ? `, ${t.warmupEpochs} warm-up epochs` : ''})` +
    `${t.weightDecay ? `, decoupled weight decay ${t.weightDecay} on kernels` : ''}, label smoothing ${t.labelSmoothing}, augmentation: ${aug}` +
    `${t.ema ? `, weight average (EMA ${t.ema}) evaluated and saved` : ''}, test-time averaging: ${tta}.` +
    (spec.ensemble > 1 ? ` Ensemble: every trained model (validation run, each fold, full) is ${spec.ensemble} independently seeded networks whose logits are averaged; features ('fc7', 'pooled') are member 0's.` : '') +
    (spec.init === 'pretrained' ? ` Initialisation: every layer but the logit starts from the pretrain stage's network, trained on CIFAR-10 (10 classes, none a clock or a crocodile); only the logit is seeded.` : '')
  );
}

export function modelCard(manifest: DatasetManifest, specs: ModelSpec[], metrics: ModelMetrics[], best: string, batchSize: number): string {
  const { splits, classNames } = manifest;
  const rows = metrics.map(
    (m) =>
      `| ${m.model}${m.model === best ? ' (best)' : ''} | ${pct(m.crossValidation.mean)} ± ${pct(m.crossValidation.std)} | ${pct(m.test.accuracy)} | ${pct(m.testFoldEnsemble.accuracy)} | ${m.test.auc.toFixed(3)} | ${m.outOfFold.auc.toFixed(3)} | ${m.outOfFold.ece.raw.toFixed(3)} → ${m.outOfFold.ece.calibrated.toFixed(3)} | ${m.temperature.toFixed(2)} | ${m.epochs.chosen}/${m.epochs.max} |`,
  );
  const confusion = metrics.map(
    (m) =>
      `| ${m.model} | ${m.test.confusion[0][0]} | ${m.test.confusion[0][1]} | ${m.test.confusion[1][0]} | ${m.test.confusion[1][1]} |`,
  );
  return [
    '# Model card — clocks vs crocodiles classifiers',
    '',
    `Binary image classifiers: ${classNames[0]} (0) vs ${classNames[1]} (1). Output: one sigmoid unit = p(${classNames[1]}).`,
    `Input: RGB ${manifest.shape[1]}x${manifest.shape[2]}, each channel normalised as (x/255 − mean) / std with mean ${JSON.stringify(manifest.mean.map((v) => Number(v.toFixed(4))))}, std ${JSON.stringify(manifest.std.map((v) => Number(v.toFixed(4))))} (training split).`,
    '',
    '## Data',
    `${manifest.shape[0]} images (${classNames.map((n, c) => `${n} ${manifest.classCounts[c]}`).join(', ')}), source \`${manifest.source}\`, dataset hash \`${manifest.contentHash.slice(0, 16)}\`.`,
    `Splits from data-prep: train ${splits.train.length}, validation ${splits.validation.length}, test ${splits.test.length}; ${splits.folds.length} stratified folds over train ∪ validation.`,
    '',
    '## Models',
    ...specs.map(describe),
    `Batch size ${batchSize}. Every random choice (initialisation, shuffling, augmentation, dropout) is seeded from the pipeline seed.`,
    '',
    '## Protocol',
    '1. Train on the train split for `maxEpochs`, evaluating the validation split after every epoch; the epoch count is the best 3-epoch-window validation accuracy. The test split is never used for any choice.',
    '2. Temperature scaling: one temperature per model, fitted (log loss) on that run\'s validation logits at the chosen epoch.',
    `3. ${splits.folds.length}-fold cross-validation over train ∪ validation with the chosen epoch count: each fold model scores its held-out fold (out-of-fold predictions) and the test split.`,
    '4. A full model on train ∪ validation, measured on the test split (this is the model `cvc classify` uses).',
    '',
    '## Results',
    '| model | CV accuracy (mean ± std) | test accuracy (full model) | test accuracy (fold ensemble) | test AUC | out-of-fold AUC | ECE out-of-fold raw → calibrated | T | epochs chosen/max |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Test-split confusion matrices (full model; rows = true class, columns = predicted):`,
    '',
    `| model | ${classNames[0]}→${classNames[0]} | ${classNames[0]}→${classNames[1]} | ${classNames[1]}→${classNames[0]} | ${classNames[1]}→${classNames[1]} |`,
    '|---|---|---|---|---|',
    ...confusion,
    '',
    '## Limitations',
    `- Small data: the test split has ${splits.test.length} images, so one image is ${pct(1 / Math.max(1, splits.test.length))} of test accuracy; the CV standard deviation is the better error bar.`,
    '- 32x32 inputs: the models see thumbnails; images are resized with centre crop (`fit: cover`), so off-centre objects may be cut.',
    '- Only two classes: anything that is neither a clock nor a crocodile still gets a p(crocodile).',
    '- Calibration is fitted on a small validation split (one temperature per model).',
    ...(specs.some((m) => m.init === 'pretrained')
      ? ['- Pretrained models saw 50,000 CIFAR-10 training images first. CIFAR-10 has no clock or crocodile class and shares no image with CIFAR-100, but both come from the same Tiny Images collection, so "never seen" holds for these images, not for the photo style.']
      : []),
    '',
  ].join('\n');
}
