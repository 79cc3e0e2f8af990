// @cvc/embedder: the embedder stage (./stage) and which classifier model it embeds with.
export { selectModel, readBestModel, modelLayerNames, oofAccuracies, type ModelChoice } from './select-model.ts';
