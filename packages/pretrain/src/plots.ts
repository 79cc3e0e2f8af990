// The pretraining curves: train (augmented) vs CIFAR-10 test, loss and accuracy per epoch.
import { curvesPng, type CurvePoint } from '@cvc/vision/curves';
import type { SoftmaxEpoch } from '@cvc/vision/softmax-training';

export function pretrainCurvesPng(history: SoftmaxEpoch[], title: string): Promise<Buffer> {
  const rows = history.flatMap((h): CurvePoint[] => [
    { epoch: h.epoch, metric: 'loss', split: 'train (augmented)', value: h.trainLoss },
    { epoch: h.epoch, metric: 'accuracy', split: 'train (augmented)', value: h.trainAccuracy },
    { epoch: h.epoch, metric: 'loss', split: 'CIFAR-10 test', value: h.testLoss },
    { epoch: h.epoch, metric: 'accuracy', split: 'CIFAR-10 test', value: h.testAccuracy },
  ]);
  return curvesPng(rows, title);
}
