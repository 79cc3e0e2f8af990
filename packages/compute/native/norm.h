// Training-mode batch normalisation over the last axis of x viewed as [R, C] (NHWC: R = N·H·W),
// forward and backward in a few passes each instead of ~15 tfjs kernels.
#pragma once
namespace cvc {
// Every elementwise step is the same float operations in the same order as tfjs's composed
// batch norm, and for 64+ channels the per-channel sums too (reduce_sum's order for outer 1), so
// those results equal the composed version bit for bit; fewer channels are summed in row chunks
// (reduce_sum: one sequential pass) so both cores work — other bits there, same maths:
//   mean = Σx / R, var = Σ(x − mean)² / R (double sums), invStd = 1 / sqrt(var + eps),
//   y = ((x − mean) · invStd) · gamma + beta.
// act 1: then a leaky ReLU (y < 0 ? alpha·y : y), as the LeakyRelu kernel would apply it.
void bn_train_forward(const float* x, long R, long C, const float* gamma, const float* beta, float eps,
                      float* y, float* mean, float* var, int act, float alpha);
// With x̂ = (x − mean) · invStd and dz = dy (or, act 1, the leaky ReLU's gradient for the
// recomputed y):  dBeta = Σ dz,  dGamma = Σ dz·x̂,  dx = ((dz − dBeta / R) − x̂ · (dGamma / R)) · (gamma · invStd).
void bn_train_backward(const float* dy, const float* x, long R, long C, const float* mean, const float* var,
                       const float* gamma, const float* beta, float eps, float* dx, float* dgamma, float* dbeta, int act,
                       float alpha);
}  // namespace cvc

namespace cvc {
// Normalisation + per-(sample, channel) affine + activation, fused: x viewed as [N, S, C] (NHWC:
// S = H·W). Statistics per channel over N and S (batch mode, group == 0: batch norm, e.g. the
// GAN's conditional batch norm) or per sample over S and `group` consecutive channels (group
// norm). z = x̂·A[n, c] + B[n, c], y = act(z) with act 0 = none, 1 = leaky ReLU (alpha; 0 = ReLU),
// 2 = SiLU z·σ(z). A, B have a_n / b_n rows (N, or 1 = shared by every sample); nullptr = 1 / 0.
// Sums in double, per sample then in sample order: deterministic for any thread count.
struct NormAct {
  long N, S, C;
  long group;
  float eps;
  int act;
  float alpha;
  const float* A; long a_n;
  const float* B; long b_n;
};
// mean, var (biased): [C] (batch mode) or [N, C / group] (group mode); invStd = 1 / sqrt(var + eps).
void norm_act_forward(const NormAct& p, const float* x, float* y, float* mean, float* var);
// dx [N, S, C]; dA, dB [N, C] per sample (the caller sums them over samples for shared A, B).
void norm_act_backward(const NormAct& p, const float* dy, const float* x, const float* mean, const float* var,
                       float* dx, float* dA, float* dB);
}  // namespace cvc
