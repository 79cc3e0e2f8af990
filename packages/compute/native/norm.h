// Training-mode batch normalisation over the last axis of x viewed as [R, C] (NHWC: R = N·H·W),
// forward and backward in a few passes each instead of ~15 tfjs kernels.
#pragma once
namespace cvc {
// The per-channel sums use the same order as reduce_sum(outer 1, red R, inner C) — the Mean and
// Sum kernels tfjs's composed batch norm would run —, and every elementwise step the same float
// operations in the same order, so results equal the composed version bit for bit:
//   mean = Σx / R, var = Σ(x − mean)² / R (double sums), invStd = 1 / sqrt(var + eps),
//   y = ((x − mean) · invStd) · gamma + beta.
void bn_train_forward(const float* x, long R, long C, const float* gamma, const float* beta, float eps,
                      float* y, float* mean, float* var);
// With x̂ = (x − mean) · invStd:  dBeta = Σ dy,  dGamma = Σ dy·x̂,
//   dx = ((dy − dBeta / R) − x̂ · (dGamma / R)) · (gamma · invStd).
void bn_train_backward(const float* dy, const float* x, long R, long C, const float* mean, const float* var,
                       const float* gamma, float eps, float* dx, float* dgamma, float* dbeta);
}  // namespace cvc
