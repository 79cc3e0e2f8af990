// Compare variants of the headline scorer on a workspace's artifacts (dataset, classifier_oof,
// embeddings): consensus rule (mean / worst), the outlier threshold, with or without the k-NN
// member. Prints, per variant, the held-out panel mean |p − 0.5| of the top 16 and 32 (leave one
// model out, judged by the full panel's members), the outliers in the top 32, and the panel's
// pairwise level. Nothing is written.
//   npx tsx packages/ranker/scripts/panel-variants.ts [--root .] [--models shallow,cnn,resnet-scratch,resnet]
import { join } from 'node:path';
import { readImageDataset } from '@cvc/core';
import { readEmbeddingIndex } from '@cvc/artifacts/embeddings';
import { readOofFile } from '../src/oof.ts';
import { featureLoader } from '../src/score-all.ts';
import { isolation } from '../src/isolation.ts';
import { l2Normalized } from '../src/vectors.ts';
import { buildPanel, panelWithout, type Panel } from '../src/panel/panel.ts';
import { panelAgreement } from '../src/panel/agreement.ts';
import { heldOutAmbiguity } from '../src/panel/held-out.ts';
import { type ConsensusRule, panelConsensus } from '../src/scorers/panel-consensus.ts';
import { rankOrder } from '../src/rank.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const root = arg('root', '.');
const models = arg('models', 'shallow,cnn,resnet-scratch,resnet').split(',');
const artifacts = join(root, 'artifacts');
const dataset = readImageDataset(join(artifacts, 'data-prep', 'dataset'));
const { files, labels } = dataset.manifest;
const embeddingsDir = join(artifacts, 'embedder', 'embeddings');
const index = readEmbeddingIndex(embeddingsDir);
const oof = readOofFile(join(artifacts, 'classifier', 'oof-predictions.json'), files);
const features = featureLoader(embeddingsDir, files);
const iso = isolation(l2Normalized(features('pooled')), 10);
const ks = [16, 32];

const sortedIso = Array.from(iso).sort((a, b) => a - b);
console.log(`isolation (pooled, k 10): median 1, p75 ${sortedIso[Math.floor(0.75 * iso.length)]!.toFixed(2)}, p90 ${sortedIso[Math.floor(0.9 * iso.length)]!.toFixed(2)}, p95 ${sortedIso[Math.floor(0.95 * iso.length)]!.toFixed(2)}`);
for (const t of [1.3, 1.5, 1.75, 2]) console.log(`  flagged above ${t}: ${Array.from(iso).filter((x) => x > t).length} of ${iso.length}`);

for (const withKnn of [true, false]) {
  const panel: Panel = buildPanel({ models, knn: withKnn ? { layer: 'pooled', k: 10 } : null }, oof, features, labels, index.model);
  const agreement = panelAgreement(panel, ks);
  console.log(`\npanel ${panel.members.join(', ')}: pairwise level @16 ${agreement.pairwiseLevel['@16']}, @32 ${agreement.pairwiseLevel['@32']}; mean |p − 0.5| ${JSON.stringify(agreement.meanAmbiguity)}`);
  for (const rule of ['mean', 'worst'] as ConsensusRule[]) {
    for (const threshold of [null, 2, 1.75, 1.5, 1.3]) {
      const outlier = Uint8Array.from(iso, (x) => (threshold !== null && x > threshold ? 1 : 0));
      const allOutliers = Uint8Array.from(iso, (x) => (x > 1.5 ? 1 : 0));
      const score = (p: Panel) => panelConsensus(p, { rule, outlier: threshold === null ? null : outlier }).scores;
      const held = heldOutAmbiguity(panel, ks, (m) => score(panelWithout(panel, m)));
      const top32 = rankOrder(score(panel)).slice(0, 32);
      const flagged = top32.filter((i) => allOutliers[i] === 1).length;
      console.log(
        `  ${rule.padEnd(5)} outliers above ${String(threshold ?? '—').padEnd(4)}: held-out @16 ${held.mean['@16']!.toFixed(4)}, @32 ${held.mean['@32']!.toFixed(4)}` +
          ` (${Object.entries(held.byMember).map(([m, v]) => `${m} ${v['@32']!.toFixed(3)}`).join(', ')}); top 32: ${flagged} with isolation > 1.5`,
      );
    }
  }
}
