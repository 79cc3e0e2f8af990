// Everything this stage borrows from the model code of other packages, in one place: the CIFAR-10
// reader and the n-way softmax training loop (pretrain), the network builder and input
// normalisation (classifier). These move to the shared @cvc/vision library; only this file changes then.
export { readCifar10, CIFAR10_CLASSES, CIFAR10_PACKAGE, pretrain as trainSoftmaxClassifier, type PretrainEpoch as SoftmaxEpoch } from '@cvc/pretrain';
export { normalizeImages, resnetArchitecture, type Normalization } from '@cvc/classifier';
