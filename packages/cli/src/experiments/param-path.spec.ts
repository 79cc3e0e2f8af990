// --set paths for experiments: `cvc status`'s notation, the stage found from the path, list items by
// name or index, values as YAML; mistakes named.
import { describe, expect, it } from 'vitest';
import { parsePipeline } from '@cvc/core';
import { applySet, formatPath, parsePath, parseSet, valueAt } from './param-path.ts';

const pipeline = parsePipeline('/ws/pipelines/p.yaml', {
  seed: 1,
  artifacts: { a: { path: 'artifacts/clf/a', format: 'json' }, b: { path: 'artifacts/gen/b', format: 'json' } },
  stages: {
    clf: { package: 'packages/clf', outs: ['a'], params: { batchSize: 32, models: [{ name: 'cnn', training: { maxEpochs: 20 } }, { name: 'resnet', training: { maxEpochs: 40 } }] } },
    gen: { package: 'packages/gen', deps: ['a'], outs: ['b'], params: { batchSize: 64, models: ['vae', 'gan'], vae: { epochs: 60 } } },
  },
});

describe('param paths', () => {
  it('parses and prints the notation of cvc status', () => {
    expect(parsePath('models[resnet].training.maxEpochs')).toEqual([{ key: 'models' }, { item: 'resnet' }, { key: 'training' }, { key: 'maxEpochs' }]);
    expect(parsePath('models[1]')).toEqual([{ key: 'models' }, { index: 1 }]);
    expect(formatPath(parsePath('models[resnet].training.maxEpochs'))).toBe('models[resnet].training.maxEpochs');
    expect(() => parsePath('models..x')).toThrow(/not a param path/);
    expect(() => parsePath('[0]')).toThrow(/not a param path/);
  });

  it('finds the stage from the whole path, or takes it from the front', () => {
    expect(parseSet(pipeline, 'models[resnet].training.maxEpochs=60')).toMatchObject({ stage: 'clf', value: 60 });
    expect(parseSet(pipeline, 'vae.epochs=2')).toMatchObject({ stage: 'gen', value: 2 });
    expect(parseSet(pipeline, 'gen.batchSize=16')).toMatchObject({ stage: 'gen', path: [{ key: 'batchSize' }] });
    expect(parseSet(pipeline, 'stages.gen.params.vae.epochs=3')).toMatchObject({ stage: 'gen', path: [{ key: 'vae' }, { key: 'epochs' }] });
    expect(parseSet(pipeline, 'clf.models=[{name: cnn}]').value).toEqual([{ name: 'cnn' }]);
    expect(() => parseSet(pipeline, 'batchSize=16')).toThrow('stages clf, gen all have "batchSize": write the stage first, e.g. clf.batchSize=16');
    expect(() => parseSet(pipeline, 'epocs=1')).toThrow(/no stage has a param "epocs"/);
    expect(() => parseSet(pipeline, 'clf.models[resnet]')).toThrow(/expected <path>=<value>/);
    expect(() => parseSet(pipeline, 'x=[1')).toThrow(/not valid YAML/);
  });

  it('sets the value in a copy, list items by name, and names a missing item', () => {
    const clf = pipeline.stages[0]!;
    const changed = applySet(clf, parseSet(pipeline, 'models[resnet].training.maxEpochs=60'));
    expect(valueAt(changed, parsePath('models[resnet].training.maxEpochs'))).toBe(60);
    expect(valueAt(clf.params, parsePath('models[resnet].training.maxEpochs'))).toBe(40);
    expect(() => applySet(clf, parseSet(pipeline, 'clf.models[resnt].training.maxEpochs=1'))).toThrow('stages.clf.params.models[resnt]: no such item (items: cnn, resnet)');
    expect(() => applySet(clf, parseSet(pipeline, 'clf.batchSize.x=1'))).toThrow(/stages\.clf\.params\.batchSize is not a mapping/);
  });
});
