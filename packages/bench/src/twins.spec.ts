// Each PyTorch twin builds the same network as the TypeScript model it is compared with: equal
// trainable parameter counts (a twin missing a layer, or with other widths, fails here).
// Needs Debian's python3-torch (CI installs it); without it this test fails with that hint.
import { describe, expect, it } from 'vitest';
import { tf } from '@cvc/core/backend';
import { createRng } from '@cvc/core';
import { runPython, torchUnavailable, TWINS_DIR } from './twins.ts';
import { stageParams } from './data.ts';
import { buildModel, createGeneratorModel, pretrainParams, softmaxModel } from './models.ts';
import { classifierResnetSpec, classifierTwinConfig } from './workloads/resnet-classifier.ts';
import { generatorConfig, type GeneratorKind } from './workloads/generator.ts';

const twinParams = (script: string, config: unknown): number => {
  const out = runPython(`${TWINS_DIR}/${script}`, ['--config', JSON.stringify(config), '--count-params', '--threads', '1']);
  return out['params'] as number;
};
const trainable = (variables: { size: number; trainable: boolean }[]) => variables.filter((v) => v.trainable).reduce((s, v) => s + v.size, 0);

describe('PyTorch twins', () => {
  it('python3-torch is installed (apt-get install -y python3-torch)', () => {
    expect(torchUnavailable()).toBe('');
  });

  it('resnet-pretrain: the resnet with its 10-way head', () => {
    const arch = pretrainParams.parse(stageParams('pretrain')).architecture;
    const model = softmaxModel(arch, 10, 1);
    const ours = trainable(model.trainableWeights.map((w: { read(): { size: number } }) => ({ size: w.read().size, trainable: true })));
    model.dispose();
    expect(ours).toBeGreaterThan(100_000);
    expect(twinParams('resnet_pretrain.py', { ...arch })).toBe(ours);
  }, 60_000);

  it('resnet-classifier: the 3-member ensemble', () => {
    const { spec } = classifierResnetSpec();
    const model = buildModel(spec.architecture, [1, 2, 3]);
    const ours = trainable(model.trainableWeights.map((w: { read(): { size: number } }) => ({ size: w.read().size, trainable: true })));
    model.dispose();
    expect(spec.ensemble).toBe(3);
    expect(twinParams('resnet_classifier.py', classifierTwinConfig())).toBe(ours);
  }, 60_000);

  it.each(['vae', 'gan', 'diffusion'] as GeneratorKind[])('%s', (kind) => {
    const config = generatorConfig(kind);
    const model = createGeneratorModel(tf, kind, config, createRng(1));
    const ours = trainable(model.stores.flatMap((s) => [...s.vars.values()]));
    model.dispose();
    expect(ours).toBeGreaterThan(10_000);
    expect(twinParams(`${kind}.py`, config)).toBe(ours);
  }, 60_000);
});
