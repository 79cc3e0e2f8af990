// @cvc/object-judge: the stage (./stage) and its pure pieces.
export { accuracyReport, argmaxRows, type AccuracyReport, type ClassAccuracy } from './accuracy.ts';
export { twelveWaySet, repeatsFor } from './training-set.ts';
