// The one file that imports the pipeline's model builders and training loops. They live in the
// stage packages today and are moving to @cvc/vision: switching is an edit here only. (Paths
// into ../../<stage>/src reach what a stage package does not export, without editing the stage
// and so without changing its code hash.)
export { buildModel, normalizeImages, type ArchitectureOptions } from '@cvc/classifier';
export { train as trainClassifier } from '../../classifier/src/train.ts';
export { classifierParams, type ModelSpec } from '../../classifier/src/params.ts';
export { pretrain, pretrainingModel, readCifar10 } from '@cvc/pretrain';
export { pretrainParams } from '../../pretrain/src/params.ts';
export { createModel as createGeneratorModel } from '@cvc/generator/models';
export { generatorParams, type GeneratorParams } from '@cvc/generator/params';
export type { TrainableModel } from '@cvc/generator/model';
