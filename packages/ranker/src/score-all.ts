// Run the selected scorers on the embeddings and OOF predictions.
import { readEmbeddings } from '@cvc/artifacts/embeddings';
import { type Matrix, l2Normalized, matrix } from './vectors.ts';
import type { RankerParams } from './params.ts';
import type { OofForModel } from './oof.ts';
import type { ScorerName, ScorerResult } from './scorers/types.ts';
import { centroidDifference } from './scorers/centroid-difference.ts';
import { uncertainty } from './scorers/uncertainty.ts';
import { neighbourhood } from './scorers/neighbourhood.ts';
import { bothNotNeither } from './scorers/both-not-neither.ts';
import { panelConsensus } from './scorers/panel-consensus.ts';
import type { Panel } from './panel/panel.ts';

export interface ScoredSet {
  results: Partial<Record<ScorerName, ScorerResult>>;
  /** The embedding layer each scorer used (null: none). */
  layers: Partial<Record<ScorerName, string | null>>;
}

/** Layer features by name, read once; rows checked against the dataset files. */
export function featureLoader(embeddingsDir: string, files: readonly string[]): (layer: string) => Matrix {
  const cache = new Map<string, Matrix>();
  return (layer) => {
    let m = cache.get(layer);
    if (!m) {
      const e = readEmbeddings(embeddingsDir, layer);
      const mismatch = e.manifest.files.findIndex((f, i) => f !== files[i]);
      if (e.rows !== files.length || mismatch >= 0) {
        throw new Error(`${embeddingsDir}/${layer}/manifest.json: rows do not match the dataset (row ${mismatch >= 0 ? mismatch : e.rows}); rerun the embedder`);
      }
      m = matrix(e.data, e.rows, e.dim);
      cache.set(layer, m);
    }
    return m;
  };
}

export interface ScorerInputs {
  features: (layer: string) => Matrix;
  labels: readonly number[];
  /** The uncertainty scorer's model. */
  oof: OofForModel;
  panel: Panel;
  /** 1 = flagged an outlier by the isolation diagnostic, [n]. */
  outlier: Uint8Array;
}

/** The panel scorers on a given panel (also used refitted without one member, for the held-out check). */
export function panelScorer(name: 'panel-consensus' | 'panel-all-images', params: RankerParams, panel: Panel, outlier: Uint8Array): ScorerResult {
  return panelConsensus(panel, { rule: params.panel.consensus, outlier: name === 'panel-consensus' ? outlier : null });
}

export function scoreAll(params: RankerParams, inputs: ScorerInputs): ScoredSet {
  const { features, labels, oof } = inputs;
  const results: ScoredSet['results'] = {};
  const layers: ScoredSet['layers'] = {};
  for (const name of params.scorers) {
    if (name === 'panel-consensus' || name === 'panel-all-images') {
      layers[name] = null;
      results[name] = panelScorer(name, params, inputs.panel, inputs.outlier);
    } else if (name === 'centroid-difference') {
      layers[name] = params.centroidDifference.layer;
      results[name] = centroidDifference(features(params.centroidDifference.layer), labels);
    } else if (name === 'uncertainty') {
      layers[name] = null;
      results[name] = uncertainty(oof, params.uncertainty.disagreementWeight);
    } else if (name === 'neighbourhood') {
      const { layer, k, normalize } = params.neighbourhood;
      layers[name] = layer;
      const m = features(layer);
      results[name] = neighbourhood(normalize ? l2Normalized(m) : m, labels, k);
    } else {
      const { layer, shrinkage, trim } = params.bothNotNeither;
      layers[name] = layer;
      results[name] = bothNotNeither(features(layer), labels, { shrinkage, trim });
    }
  }
  return { results, layers };
}
