// The one file that imports the pipeline's model builders and training loops (from @cvc/vision,
// the model library, and the stage packages for what is stage-specific). Paths into
// ../../<stage>/src reach what a stage package does not export, without editing the stage and
// so without changing its code hash.
export { buildModel, normalizeImages, softmaxModel, trainSoftmaxClassifier, type ArchitectureOptions } from '@cvc/vision';
export { readCifar10 } from '@cvc/cifar10';
export { train as trainClassifier } from '../../classifier/src/train.ts';
export { classifierParams, type ModelSpec } from '../../classifier/src/params.ts';
export { pretrainParams } from '../../pretrain/src/params.ts';
export { createModel as createGeneratorModel } from '@cvc/generator/models';
export { generatorParams, type GeneratorParams } from '@cvc/generator/params';
export type { TrainableModel } from '@cvc/generator/model';
