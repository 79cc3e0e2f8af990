// @cvc/classifier: the stage (./stage) and what other packages reuse.
export { buildModel, logitModel, MODEL_KINDS, type ArchitectureOptions, type ModelKind } from './models.ts';
export { FastBatchNorm } from './batch-norm.ts';
export { classifyImages, collectImages, defaultModelDir, loadClassifier, type Classified, type Classifier, type ImageEntry, type ModelMetadata } from './classify.ts';
export { normalizeImages, type Normalization } from './data.ts';
export { predictLogits } from './predict.ts';
export { resnetArchitecture } from './params.ts';
export { augmentInto } from './augment.ts';
export { learningRateAt } from './train.ts';
export { curvesPng, type CurvePoint } from './plots.ts';
export { PRETRAINED_HEAD } from './pretrained.ts';
