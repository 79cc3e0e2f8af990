// The panel's statistics on hand-made probabilities and synthetic geometry: agreement between
// members, the out-of-fold k-NN member, the headline scorer (ambiguous to the panel, not an
// outlier) and the held-out check.
import { describe, expect, it } from 'vitest';
import { rankOrder } from '../rank.ts';
import { syntheticSet } from '../scorers/synthetic.ts';
import { panelAmbiguity, panelConsensus } from '../scorers/panel-consensus.ts';
import { matrix } from '../vectors.ts';
import { meanAmbiguityOf, mostAmbiguous, panelAgreement } from './agreement.ts';
import { heldOutAmbiguity } from './held-out.ts';
import { outOfFoldKnn } from './knn.ts';
import { type Panel, panelWithout } from './panel.ts';
import { syntheticFolds, syntheticPanel } from './synthetic-panel.ts';

const handMade = (p: Record<string, number[]>): Panel => ({
  members: Object.keys(p),
  p: Object.values(p).map((v) => Float64Array.from(v)),
  descriptions: Object.fromEntries(Object.keys(p).map((m) => [m, m])),
});
const sorted = (xs: number[]) => xs.slice().sort((a, b) => a - b);

describe('panel agreement', () => {
  // a and b agree exactly; c finds ambiguous what they are sure about (p below 0.5 counts by |p − 0.5|).
  const panel = handMade({ a: [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], b: [0.5, 0.4, 0.7, 0.2, 0.9, 0.0], c: [0, 0.1, 0.2, 0.3, 0.4, 0.5] });

  it('ranks a member’s most ambiguous images by |p − 0.5|', () => {
    expect(mostAmbiguous(panel.p[1]!, 3)).toEqual([0, 1, 2]);
    expect(mostAmbiguous(panel.p[2]!, 2)).toEqual([5, 4]);
    expect(meanAmbiguityOf(panel.p[2]!, [0, 5])).toBeCloseTo(0.25, 12);
  });

  it('gives Spearman of |p − 0.5|, overlap and cross ambiguity per pair, and the pairwise level', () => {
    const g = panelAgreement(panel, [2]);
    expect(g.spearman.a!.b).toBe(1);
    expect(g.spearman.a!.c).toBe(-1);
    expect(g.spearman.c!.c).toBe(1);
    expect(g.overlap['@2']!.a!.b).toBe(1);
    expect(g.overlap['@2']!.a!.c).toBe(0);
    // b judges a's two most ambiguous (images 0, 1): (0 + 0.1) / 2; c judges them: (0.5 + 0.4) / 2.
    expect(g.crossAmbiguity['@2']!.a!.b).toBe(0.05);
    expect(g.crossAmbiguity['@2']!.a!.c).toBe(0.45);
    expect(g.crossAmbiguity['@2']!.c!.a).toBe(0.45); // c's picks are images 5, 4
    expect(g.crossAmbiguity['@2']!.a!.a).toBe(0.05);
    // Off-diagonal mean: (0.05 + 0.05 + 4 × 0.45) / 6.
    expect(g.pairwiseLevel['@2']).toBeCloseTo((0.1 + 1.8) / 6, 4);
    expect(g.meanAmbiguity).toEqual({ a: 0.25, b: 0.25, c: 0.25 });
  });

  it('sees agreement among members that read the same class axis through their own noise', () => {
    const set = syntheticSet();
    const g = panelAgreement(syntheticPanel(set), [6]);
    for (const a of g.members) for (const b of g.members) if (a !== b) expect(g.spearman[a]![b]).toBeGreaterThan(0.3);
  });
});

describe('k-NN member, out of fold', () => {
  // Image 0 (clock, fold 0) sits on three crocodiles of its own fold; its nearest images in other
  // folds are clocks. Image 7 is a test image next to the same crocodiles.
  const points = [[0, 0], [0.01, 0], [0, 0.01], [0.01, 0.01], [0.1, 0], [0, 0.1], [0.1, 0.1], [0.009, 0.006], [5, 5], [5, 5.1]];
  const labels = [0, 1, 1, 1, 0, 0, 0, 0, 1, 1];
  const folds = [0, 0, 0, 0, 1, 2, 1, null, 1, 2];
  const features = matrix(points.flat(), points.length, 2);

  it('scores an image by neighbours from the other folds only, a test image by all dev images', () => {
    const { p, plainShare } = outOfFoldKnn(features, labels, folds, 3);
    expect(p[0]).toBe(0); // its own fold's crocodiles are not its neighbours
    expect(plainShare[0]).toBe(0);
    expect(p[7]).toBe(1); // the test image sees them
    // Image 4 (fold 1): the fold-0 crocodiles are its nearest other-fold images, then clock 0 at 0.1, then clock 5.
    expect(plainShare[4]).toBeCloseTo(2 / 3, 12);
    expect(p[4]).toBeGreaterThan(0.5);
    expect(p[4]).toBeLessThan(1);
    // A test image is never anyone's neighbour: image 0's neighbours are 4, 5, 6 (not 7, its nearest image).
    expect(outOfFoldKnn(features, labels, folds.map((f, i) => (i === 7 ? 0 : f)), 3).p[0]).toBe(0);
  });

  it('names the image that lacks k neighbours in other folds', () => {
    expect(() => outOfFoldKnn(features, labels, folds, 8)).toThrow('knn: image 0 has 5 images in other folds, fewer than k = 8');
  });

  it('is an informative classifier on the synthetic clusters', () => {
    const set = syntheticSet();
    const { p } = outOfFoldKnn(set.features, set.labels, syntheticFolds(set.labels.length), 10);
    const clusterPoints = set.labels.length - set.between.length - set.outliers.length;
    const right = Array.from({ length: clusterPoints }, (_, i) => ((p[i]! >= 0.5 ? 1 : 0) === set.labels[i] ? 1 : 0) as number);
    expect(right.reduce((s, x) => s + x, 0)).toBe(clusterPoints);
  });
});

describe('panel-consensus: ambiguous to the panel, not an outlier', () => {
  const set = syntheticSet();
  const panel = syntheticPanel(set);
  const outlier = Uint8Array.from(set.labels, (_, i) => (set.outliers.includes(i) ? 1 : 0));

  it('ranks the in-between images first and the outliers (ambiguous to every member) after all typical images', () => {
    const r = panelConsensus(panel, { rule: 'mean', outlier });
    expect(sorted(rankOrder(r.scores).slice(0, set.between.length))).toEqual(set.between);
    expect(sorted(rankOrder(r.scores).slice(-set.outliers.length))).toEqual(set.outliers);
    expect(r.components.panelAmbiguity![0]).toBeCloseTo(panel.p.reduce((s, p) => s + Math.abs(p[0]! - 0.5), 0) / panel.p.length, 12);
    expect(Object.keys(r.components)).toEqual(['panelAmbiguity', 'p:m0', 'p:m1', 'p:m2', 'p:m3', 'outlier']);
    expect(r.meaning).toContain('4 models (m0, m1, m2, m3)');
  });

  it('without the typicality rule, the outliers come first: the panel is least sure about them', () => {
    const r = panelConsensus(panel, { rule: 'mean', outlier: null });
    expect(sorted(rankOrder(r.scores).slice(0, set.outliers.length))).toEqual(set.outliers);
  });

  it('"worst" takes the most confident member', () => {
    const p = handMade({ a: [0.5, 0.9], b: [0.7, 0.6] });
    const round = (xs: Float64Array) => Array.from(xs, (x) => Number(x.toFixed(12)));
    expect(round(panelAmbiguity(p, 'worst'))).toEqual([0.2, 0.4]);
    expect(round(panelAmbiguity(p, 'mean'))).toEqual([0.1, 0.25]);
    expect(() => panelConsensus(p, { rule: 'mean', outlier: new Uint8Array(3) })).toThrow('3 outlier flags for 2 images');
  });
});

describe('held-out check', () => {
  const set = syntheticSet();
  const panel = syntheticPanel(set);
  const outlier = Uint8Array.from(set.labels, (_, i) => (set.outliers.includes(i) ? 1 : 0));
  const refit = (member: string) => panelConsensus(panelWithout(panel, member), { rule: 'mean', outlier }).scores;

  it('judges each member on the list made without it', () => {
    const h = heldOutAmbiguity(panel, [6], refit);
    expect(h.judges).toEqual(['m0', 'm1', 'm2', 'm3']);
    const top = rankOrder(refit('m2')).slice(0, 6);
    expect(h.byMember.m2!['@6']).toBeCloseTo(meanAmbiguityOf(panel.p[2]!, top), 4);
    expect(panelWithout(panel, 'm2').members).toEqual(['m0', 'm1', 'm3']);
    // The in-between images are ambiguous to the held-out member too: far below a random image.
    const overall = panel.p.map((p) => meanAmbiguityOf(p, set.labels.map((_, i) => i)));
    expect(h.mean['@6']).toBeLessThan(0.5 * Math.min(...overall));
  });

  it('leaves out the member a scorer read, and fails if none is left', () => {
    const scores = Float64Array.from(panel.p[1]!, (x) => -Math.abs(x - 0.5));
    const h = heldOutAmbiguity(panel, [6, 10], (m) => (m === 'm1' ? null : scores));
    expect(h.judges).toEqual(['m0', 'm2', 'm3']);
    expect(Object.keys(h.mean)).toEqual(['@6', '@10']);
    expect(() => heldOutAmbiguity(panel, [6], () => null)).toThrow('no panel member is independent');
  });
});
