// The autoencoder's hybrid rules (its `hybrid` param), apart from the model so params.ts stays free of tfjs.
/**
 * Hybrid rules, all on the trained weights:
 *   boundary           where the segment clock code → crocodile code (both drawn from the class Gaussians) crosses the codes' LDA boundary, label (1 − t, t);
 *   mean               the mean of the two codes, label (½, ½);
 *   swap               a clock code decoded with the crocodile label, and (odd hybrids) a crocodile code with the clock label;
 *   project-frequency  encode a frequency hybrid (Oliva et al.: low-pass of one training image + high-pass of the other; even
 *                      hybrids clock low + crocodile high, odd ones the reverse) of a random training clock and crocodile, decode with (½, ½);
 *   project-blend      the same with their pixel average.
 * The projections let the decoder put a two-source image on its learned image manifold while the code keeps both structures.
 */
export const HYBRID_RULES = ['boundary', 'mean', 'swap', 'project-frequency', 'project-blend'] as const;
export type HybridRule = (typeof HYBRID_RULES)[number];
/** Autoencoder config fields that only change sampling: left out of the checkpoint key, so switching the hybrid rule never retrains. */
export const INFERENCE_ONLY_FIELDS = ['hybrid', 'hybridSigma'] as const;
