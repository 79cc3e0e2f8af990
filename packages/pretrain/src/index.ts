// @cvc/pretrain: the stage (./stage) and its pieces.
export { readCifar10, CIFAR10_CLASSES, type Cifar10, type Cifar10Split } from './cifar10.ts';
export { ensureCifar10, integrityOf, CIFAR10_PACKAGE } from './fetch.ts';
export { pretrain, pretrainingModel, evaluate, type PretrainEpoch } from './pretrain.ts';
