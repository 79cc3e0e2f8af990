// @cvc/vision: the model library the stages share (they never import each other).
export * from './architecture.ts';
export { buildModel, logitModel, memberLogitModel, memberLogitName, ensembleSize } from './models.ts';
export { FastBatchNorm } from './batch-norm.ts';
export { augmentBatch, augmentInto, type AugmentOptions } from './augment.ts';
export { learningRateAt } from './schedule.ts';
export { makeOptimizer, readStep, supervisedStep, trainableVariables, type Optimizer, type StepSpec } from './train-step.ts';
export { emaDecayAt, updateAverages, WeightAverage } from './ema.ts';
export { normalizeImages, modelInputs, type Normalization } from './normalize.ts';
export { predictLogits } from './predict.ts';
export { PRETRAINED_HEAD, checkPretrainedFits, initFromPretrained, readPretrained, savePretrained, type PretrainedModel } from './pretrained.ts';
export { describeModel, loadModel, portableTopology, saveModel } from './saved-model.ts';
export { bestModelDir, loadClassifierModel, saveClassifierModel, type ClassifierModel } from './classifier-model.ts';
export { classifyImages, type Classified, type ImageEntry } from './classify.ts';
export { extractEmbeddings, featureModel, type LayerEmbedding } from './features.ts';
export { renderVegaLite } from './charts.ts';
export { curvesPng, type CurvePoint } from './curves.ts';
export { evaluateSoftmax, softmaxModel, trainSoftmaxClassifier, type SoftmaxEpoch, type SoftmaxTrainingRun } from './softmax-training.ts';
