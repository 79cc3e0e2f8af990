// The autoencoder's hybrid rules (its `hybrid` param), apart from the model so params.ts stays free of tfjs.
/**
 * Hybrid rules, all on the trained weights:
 *   boundary           where the segment clock code → crocodile code (both drawn from the class Gaussians) crosses the codes' LDA boundary, label (1 − t, t);
 *   mean               the mean of the two codes, label (½, ½);
 *   swap               a clock code decoded with the crocodile label, and (odd hybrids) a crocodile code with the clock label;
 *   levels             per decoder level: a clock code and label at the coarse levels (4x4, 8x8: layout), a crocodile's at the fine
 *                      ones (16x16, 32x32: texture); odd hybrids the reverse — the frequency hybrid inside the decoder;
 *   project-frequency  encode a frequency hybrid (Oliva et al.: low-pass of one training image + high-pass of the other; even
 *                      hybrids clock low + crocodile high, odd ones the reverse) of a random training clock and crocodile, decode with (½, ½);
 *   project-blend      the same with their pixel average;
 *   …-cycle            (boundary, project-frequency, project-blend) the crocodile share t ∈ [0.2, 0.8] of the label (and, for
 *                      boundary, of the code on the segment) chosen per hybrid so that the decoded image, encoded again,
 *                      lands on the codes' LDA boundary: the generator's own "undecided", corrects a decoder that leans to one class.
 * The projections let the decoder put a two-source image on its learned image manifold while the code keeps both structures.
 */
export const HYBRID_RULES = ['boundary', 'mean', 'swap', 'levels', 'project-frequency', 'project-blend', 'boundary-cycle', 'project-frequency-cycle', 'project-blend-cycle'] as const;
export type HybridRule = (typeof HYBRID_RULES)[number];
/** Autoencoder config fields that only change sampling: left out of the checkpoint key, so switching the hybrid rule never retrains. */
export const INFERENCE_ONLY_FIELDS = ['hybrid', 'hybridSigma'] as const;
