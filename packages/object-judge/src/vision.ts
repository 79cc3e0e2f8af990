// What this stage takes from the shared libraries, in one place: the CIFAR-10 reader (@cvc/cifar10)
// and the n-way softmax training loop, input normalisation and model saving (@cvc/vision).
export { readCifar10, CIFAR10_CLASSES, CIFAR10_PACKAGE } from '@cvc/cifar10';
export { resnetArchitecture } from '@cvc/vision/architecture';
export { normalizeImages, type Normalization } from '@cvc/vision/normalize';
export { saveModel } from '@cvc/vision/saved-model';
export { trainSoftmaxClassifier } from '@cvc/vision/softmax-training';
export { softmaxRecipe, softmaxRecipeShape } from '@cvc/vision/softmax-recipe';
