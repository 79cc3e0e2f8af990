// @cvc/artifacts: the schemas of what stages hand to each other, one file per artifact.
export * from './model-files.ts';
export * from './classifier-models.ts';
export * from './pretrained-model.ts';
export * from './embeddings.ts';
export * from './classifier-metrics.ts';
export * from './classifier-oof.ts';
export * from './pretrain-metrics.ts';
export * from './ranker-both.ts';
export * from './ranker-rankings.ts';
export * from './ranker-one-sided.ts';
export * from './ranker-metrics.ts';
export * from './object-judge.ts';
export * from './generator-metrics.ts';
