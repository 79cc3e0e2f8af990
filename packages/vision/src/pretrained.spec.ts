// Starting from a pretrained model: every member of an ensemble gets the pretrained trunk, the
// logits keep their seeds, and a mismatched model is refused with the metadata file named.
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompute, tf } from '@cvc/core/backend';
import { buildModel } from './models.ts';
import type { ArchitectureOptions } from './architecture.ts';
import { checkPretrainedFits, initFromPretrained, PRETRAINED_HEAD, type PretrainedModel } from './pretrained.ts';

const arch: ArchitectureOptions = { kind: 'resnet', widths: [4, 8], blocksPerStage: 1, dense: 6, dropout: 0, stemPool: true };
const norm = { mean: [0.5, 0.4, 0.5] as [number, number, number], std: [0.25, 0.2, 0.25] as [number, number, number] };
const values = (layer: tf.layers.Layer) => layer.getWeights().map((w) => Array.from(w.dataSync()));

/** A stand-in for the pretrain stage's model: the same trunk (other seed) with a 10-way head. */
function pretrainedModel(architecture = arch): PretrainedModel {
  const base = buildModel(architecture, 99, 16);
  const head = tf.layers.dense({ units: 10, name: PRETRAINED_HEAD }).apply(base.getLayer('fc7').output as tf.SymbolicTensor) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: base.inputs, outputs: head }), dir: '/artifacts/pretrain/model', architecture, normalization: norm };
}

describe('pretrained init', () => {
  beforeAll(() => initCompute(() => {}));

  it('copies every trunk layer into each ensemble member and leaves the logits seeded', () => {
    const pretrained = pretrainedModel();
    const model = buildModel(arch, [1, 2], 16);
    const seededLogits = [values(model.getLayer('m0_logit')), values(model.getLayer('m1_logit'))];
    const copied = initFromPretrained(model, pretrained);
    // Per member: stem + bn (2), block 1: 2 convs + 2 bns (4), block 2: the same + projection conv and bn (6), fc7 (1).
    expect(copied).toBe(2 * 13);
    for (const name of ['stem', 'stem_bn', 's2b1_conv2', 's2b1_proj_bn', 'fc7']) {
      expect(values(model.getLayer(name))).toEqual(values(pretrained.model.getLayer(name)));
      expect(values(model.getLayer(`m1_${name}`))).toEqual(values(pretrained.model.getLayer(name)));
    }
    expect(values(model.getLayer('m0_logit'))).toEqual(seededLogits[0]);
    expect(values(model.getLayer('m1_logit'))).toEqual(seededLogits[1]);
  });

  it('gives the network its own buffers: training it leaves the pretrained model unchanged', () => {
    const pretrained = pretrainedModel();
    const model = buildModel(arch, 3, 16);
    initFromPretrained(model, pretrained);
    const before = values(pretrained.model.getLayer('stem'));
    const kernel = model.getLayer('stem').trainableWeights[0]!.read() as tf.Variable;
    kernel.assign(tf.add(kernel, 1));
    expect(values(pretrained.model.getLayer('stem'))).toEqual(before);
  });

  it('refuses another architecture or normalisation, naming the metadata file', () => {
    const pretrained = pretrainedModel();
    expect(() => checkPretrainedFits(pretrained, arch, norm)).not.toThrow();
    expect(() => checkPretrainedFits(pretrained, { ...arch, widths: [4, 16] }, norm)).toThrow(/\/artifacts\/pretrain\/model\/metadata\.json: architecture .*"widths":\[4,8\].* differs from the classifier's .*"widths":\[4,16\]/);
    expect(() => checkPretrainedFits(pretrained, arch, { ...norm, std: [0.3, 0.2, 0.25] })).toThrow(/metadata\.json: normalization differs/);
    expect(() => initFromPretrained(buildModel({ ...arch, widths: [4, 8, 8] }, 1, 16), pretrained)).toThrow(/the pretrained model has no layer "s3b1_conv1"/);
  });
});
