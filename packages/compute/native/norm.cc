#include "norm.h"

#include <cmath>
#include <vector>

#include "threadpool.h"

namespace cvc {

static constexpr long kMinPar = 1 << 15;  // as in elementwise.cc

// Row chunks of the per-channel sums: reduce_sum's choice for outer = 1 (one sequential chunk for
// fewer than 64 channels or small tensors, else row_chunks(R, 1024)), so the sums are the ones
// tfjs's Mean / Sum kernels compute. Depends on the shape only.
static long sum_chunks(long R, long C) {
  return (C < 64 || R * C < kMinPar) ? 1 : row_chunks(R, 1024);
}

// acc[c] += x[r, c] for rows [r0, r1) (double accumulators, rows in order).
__attribute__((target_clones("avx2", "default")))
static void col_sums(const float* __restrict x, long r0, long r1, long C, double* __restrict acc) {
  for (long r = r0; r < r1; r++) {
    const float* __restrict row = x + r * C;
    for (long c = 0; c < C; c++) acc[c] += row[c];
  }
}

// acc[c] += ((x − m) · (x − m)) as float, then widened (tfjs: Sub, Square, then Mean).
__attribute__((target_clones("avx2", "default")))
static void col_sq_dev(const float* __restrict x, long r0, long r1, long C, const float* __restrict m, double* __restrict acc) {
  for (long r = r0; r < r1; r++) {
    const float* __restrict row = x + r * C;
    for (long c = 0; c < C; c++) {
      const float d = row[c] - m[c];
      const float sq = d * d;
      acc[c] += sq;
    }
  }
}

// Per-channel sums of f over all rows in sum_chunks(R, C) chunks, combined in chunk order.
template <class F>
static void channel_sums(long R, long C, int nacc, double scale, float* const* out, F&& f) {
  const long T = sum_chunks(R, C);
  std::vector<double> part((size_t)T * nacc * C, 0.0);
  auto chunk = [&](long t) {
    long r0, r1;
    split_range(R, (int)T, (int)t, 1, &r0, &r1);
    f(r0, r1, part.data() + (size_t)t * nacc * C);
  };
  if (T == 1) chunk(0);
  else parallel_chunks(T, chunk);
  for (int k = 0; k < nacc; k++)
    for (long c = 0; c < C; c++) {
      double s = 0.0;
      for (long t = 0; t < T; t++) s += part[((size_t)t * nacc + k) * C + c];
      out[k][c] = (float)(s * scale);
    }
}

__attribute__((target_clones("avx2", "default")))
static void bn_apply(const float* __restrict x, long r0, long r1, long C, const float* __restrict m,
                     const float* __restrict is, const float* __restrict g, const float* __restrict b, float* __restrict y) {
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float scaled = xhat * g[c];
      y[i] = scaled + b[c];
    }
}

static void inv_std(const float* var, long C, float eps, float* is) {
  for (long c = 0; c < C; c++) {
    const float v = var[c] + eps;
    is[c] = 1.f / std::sqrt(v);
  }
}

void bn_train_forward(const float* x, long R, long C, const float* gamma, const float* beta, float eps,
                      float* y, float* mean, float* var) {
  const double scale = 1.0 / (double)R;
  channel_sums(R, C, 1, scale, &mean, [&](long r0, long r1, double* acc) { col_sums(x, r0, r1, C, acc); });
  channel_sums(R, C, 1, scale, &var, [&](long r0, long r1, double* acc) { col_sq_dev(x, r0, r1, C, mean, acc); });
  std::vector<float> is(C);
  inv_std(var, C, eps, is.data());
  const float* isp = is.data();
  parallel_for(R, kMinPar / C + 1, [&](long r0, long r1) { bn_apply(x, r0, r1, C, mean, isp, gamma, beta, y); });
}

// acc[0..C) += dy, acc[C..2C) += dy · x̂ (float product, widened), x̂ = (x − m) · invStd.
__attribute__((target_clones("avx2", "default")))
static void bn_grad_sums(const float* __restrict dy, const float* __restrict x, long r0, long r1, long C,
                         const float* __restrict m, const float* __restrict is, double* __restrict acc) {
  double* __restrict a0 = acc;
  double* __restrict a1 = acc + C;
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float p = dy[i] * xhat;
      a0[c] += dy[i];
      a1[c] += p;
    }
}

__attribute__((target_clones("avx2", "default")))
static void bn_grad_apply(const float* __restrict dy, const float* __restrict x, long r0, long r1, long C,
                          const float* __restrict m, const float* __restrict is, const float* __restrict mb,
                          const float* __restrict mg, const float* __restrict gis, float* __restrict dx) {
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float a = dy[i] - mb[c];
      const float b = xhat * mg[c];
      const float centred = a - b;
      dx[i] = centred * gis[c];
    }
}

void bn_train_backward(const float* dy, const float* x, long R, long C, const float* mean, const float* var,
                       const float* gamma, float eps, float* dx, float* dgamma, float* dbeta) {
  std::vector<float> is(C), mb(C), mg(C), gis(C);
  inv_std(var, C, eps, is.data());
  const float* isp = is.data();
  float* outs[2] = {dbeta, dgamma};
  channel_sums(R, C, 2, 1.0, outs, [&](long r0, long r1, double* acc) { bn_grad_sums(dy, x, r0, r1, C, mean, isp, acc); });
  const float count = (float)R;
  for (long c = 0; c < C; c++) {
    mb[c] = dbeta[c] / count;
    mg[c] = dgamma[c] / count;
    gis[c] = gamma[c] * is[c];
  }
  const float *mbp = mb.data(), *mgp = mg.data(), *gisp = gis.data();
  parallel_for(R, kMinPar / C + 1, [&](long r0, long r1) { bn_grad_apply(dy, x, r0, r1, C, mean, isp, mbp, mgp, gisp, dx); });
}

}  // namespace cvc
