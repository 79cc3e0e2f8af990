// The panel: out-of-fold p(crocodile) of every image from models with different inductive
// biases, over the classifier's folds — the classifier's models (read from classifier_oof) and a
// k-nearest-neighbour classifier on the embedder's features (computed here, out of fold).
import { type OofFile, oofForModel } from '../oof.ts';
import { type Matrix, l2Normalized } from '../vectors.ts';
import { outOfFoldKnn } from './knn.ts';

export interface Panel {
  members: string[];
  /** p(crocodile) per member, [members][n]. */
  p: Float64Array[];
  /** What each member is, one line. */
  descriptions: Record<string, string>;
}

export interface PanelSpec {
  /** Classifier models whose out-of-fold p join the panel. */
  models: readonly string[];
  /** A k-NN member on this embedding layer (cosine neighbours), or none. */
  knn: { layer: string; k: number } | null;
}

export const knnName = (layer: string): string => `knn-${layer}`;

export function buildPanel(spec: PanelSpec, oof: OofFile, features: (layer: string) => Matrix, labels: readonly number[], embedderModel: string): Panel {
  const members: string[] = [];
  const p: Float64Array[] = [];
  const descriptions: Record<string, string> = {};
  for (const model of spec.models) {
    members.push(model);
    p.push(Float64Array.from(oofForModel(oof, model).p));
    descriptions[model] = `classifier model "${model}": its fold model's temperature-scaled p (test images: mean of the fold models)`;
  }
  if (spec.knn) {
    const { layer, k } = spec.knn;
    const name = knnName(layer);
    if (members.includes(name)) throw new Error(`panel: member name "${name}" is taken by a classifier model`);
    members.push(name);
    p.push(outOfFoldKnn(l2Normalized(features(layer)), labels, oof.folds, k).p);
    descriptions[name] = `${k} nearest neighbours (cosine) in ${embedderModel}'s "${layer}" embedding among the other folds' images; p = their kernel-weighted crocodile share`;
  }
  if (members.length < 2) throw new Error(`panel: needs at least 2 members, got ${members.length} (${members.join(', ')})`);
  return { members, p, descriptions };
}

/** The panel without one member (for the held-out check). */
export function panelWithout(panel: Panel, member: string): Panel {
  const keep = panel.members.map((m, i) => [m, i] as const).filter(([m]) => m !== member);
  return {
    members: keep.map(([m]) => m),
    p: keep.map(([, i]) => panel.p[i]!),
    descriptions: Object.fromEntries(keep.map(([m]) => [m, panel.descriptions[m]!])),
  };
}
