#include "norm.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "norm_avx512.h"
#include "threadpool.h"

namespace cvc {

static constexpr long kMinPar = 1 << 15;  // as in elementwise.cc

// Row chunks of the per-channel sums, by shape only: row_chunks(R, 1024) for big tensors, else
// one. For 64+ channels that is reduce_sum's choice for outer = 1, so the sums equal the ones
// tfjs's Mean / Sum kernels compute; reduce_sum sums fewer channels in one sequential chunk,
// which would leave the second core idle on the resnet's 24- and 48-channel layers (the stem's
// batch norm alone: 3 serial passes over 3 M values per step), so these chunk too.
static long sum_chunks(long R, long C) {
  return R * C < kMinPar ? 1 : row_chunks(R, 1024);
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

// y = xhat·g + b, then (leaky) ReLU when `leaky` (the LeakyRelu kernel's `y < 0 ? alpha·y : y`).
__attribute__((target_clones("avx2", "default")))
static void bn_apply(const float* __restrict x, long r0, long r1, long C, const float* __restrict m,
                     const float* __restrict is, const float* __restrict g, const float* __restrict b, float* __restrict y,
                     bool leaky, float alpha) {
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float scaled = xhat * g[c];
      const float v = scaled + b[c];
      y[i] = leaky && v < 0.f ? alpha * v : v;
    }
}

static void inv_std(const float* var, long C, float eps, float* is) {
  for (long c = 0; c < C; c++) {
    const float v = var[c] + eps;
    is[c] = 1.f / std::sqrt(v);
  }
}

void bn_train_forward(const float* x, long R, long C, const float* gamma, const float* beta, float eps,
                      float* y, float* mean, float* var, int act, float alpha) {
  const double scale = 1.0 / (double)R;
  const bool v512 = bn_avx512_usable(C);  // same bits, sums in registers
  channel_sums(R, C, 1, scale, &mean, [&](long r0, long r1, double* acc) {
    if (v512) bn_col_sums_avx512(x, r0, r1, C, nullptr, acc);
    else col_sums(x, r0, r1, C, acc);
  });
  channel_sums(R, C, 1, scale, &var, [&](long r0, long r1, double* acc) {
    if (v512) bn_col_sums_avx512(x, r0, r1, C, mean, acc);
    else col_sq_dev(x, r0, r1, C, mean, acc);
  });
  std::vector<float> is(C);
  inv_std(var, C, eps, is.data());
  const float* isp = is.data();
  parallel_for(R, kMinPar / C + 1, [&](long r0, long r1) {
    if (v512) bn_apply_avx512(x, r0, r1, C, mean, isp, gamma, beta, y, act == 1, alpha);
    else bn_apply(x, r0, r1, C, mean, isp, gamma, beta, y, act == 1, alpha);
  });
}

// The gradient reaching the normalisation: dy, or with a fused leaky ReLU the LeakyRelu
// gradient's `y > 0 ? dy : dy·alpha` for y = x̂·g + b recomputed (the forward's exact value).
static inline float bn_dz(float dy, float xhat, float g, float b, bool leaky, float alpha) {
  if (!leaky) return dy;
  const float scaled = xhat * g;
  const float y = scaled + b;
  return y > 0.f ? dy : dy * alpha;
}

// acc[0..C) += dz, acc[C..2C) += dz · x̂ (float product, widened), x̂ = (x − m) · invStd.
__attribute__((target_clones("avx2", "default")))
static void bn_grad_sums(const float* __restrict dy, const float* __restrict x, long r0, long r1, long C,
                         const float* __restrict m, const float* __restrict is, const float* __restrict g,
                         const float* __restrict b, bool leaky, float alpha, double* __restrict acc) {
  double* __restrict a0 = acc;
  double* __restrict a1 = acc + C;
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float dz = bn_dz(dy[i], xhat, g[c], b[c], leaky, alpha);
      const float p = dz * xhat;
      a0[c] += dz;
      a1[c] += p;
    }
}

__attribute__((target_clones("avx2", "default")))
static void bn_grad_apply(const float* __restrict dy, const float* __restrict x, long r0, long r1, long C,
                          const float* __restrict m, const float* __restrict is, const float* __restrict mb,
                          const float* __restrict mg, const float* __restrict gis, const float* __restrict g,
                          const float* __restrict b, bool leaky, float alpha, float* __restrict dx) {
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c++) {
      const long i = r * C + c;
      const float xhat = (x[i] - m[c]) * is[c];
      const float a = bn_dz(dy[i], xhat, g[c], b[c], leaky, alpha) - mb[c];
      const float b = xhat * mg[c];
      const float centred = a - b;
      dx[i] = centred * gis[c];
    }
}

void bn_train_backward(const float* dy, const float* x, long R, long C, const float* mean, const float* var,
                       const float* gamma, const float* beta, float eps, float* dx, float* dgamma, float* dbeta, int act, float alpha) {
  const bool leaky = act == 1;
  std::vector<float> is(C), mb(C), mg(C), gis(C);
  inv_std(var, C, eps, is.data());
  const float* isp = is.data();
  float* outs[2] = {dbeta, dgamma};
  const bool v512 = bn_avx512_usable(C);  // same bits, sums in registers
  channel_sums(R, C, 2, 1.0, outs, [&](long r0, long r1, double* acc) {
    if (v512) bn_grad_sums_avx512(dy, x, r0, r1, C, mean, isp, gamma, beta, leaky, alpha, acc);
    else bn_grad_sums(dy, x, r0, r1, C, mean, isp, gamma, beta, leaky, alpha, acc);
  });
  const float count = (float)R;
  for (long c = 0; c < C; c++) {
    mb[c] = dbeta[c] / count;
    mg[c] = dgamma[c] / count;
    gis[c] = gamma[c] * is[c];
  }
  const float *mbp = mb.data(), *mgp = mg.data(), *gisp = gis.data();
  parallel_for(R, kMinPar / C + 1, [&](long r0, long r1) {
    if (v512) bn_grad_apply_avx512(dy, x, r0, r1, C, mean, isp, mbp, mgp, gisp, gamma, beta, leaky, alpha, dx);
    else bn_grad_apply(dy, x, r0, r1, C, mean, isp, mbp, mgp, gisp, gamma, beta, leaky, alpha, dx);
  });
}

}  // namespace cvc

namespace cvc {

namespace {

// exp for the SiLU here (not tfjs's Exp/Sigmoid kernels, which keep std::exp): Cephes' expf,
// branch-free so loops over it vectorise (std::exp stays scalar: most of these kernels' time).
// Relative error ≲ 2 ulp; inputs clamped to ±88.37 (exp(−88.4) ≈ 4e-39, not 0: harmless in σ).
inline float fast_exp(float x) {
  x = x < -88.3762626647949f ? -88.3762626647949f : (x > 88.3762626647950f ? 88.3762626647950f : x);
  float fx = x * 1.44269504088896341f + 0.5f;
  int n = (int)fx;
  n -= (float)n > fx;  // floor
  const float fn = (float)n;
  x -= fn * 0.693359375f;
  x -= fn * -2.12194440e-4f;
  const float z = x * x;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.f;
  const int bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

// A sample's S·C values are processed in blocks of L = C·k (k rows) against per-sample parameter
// arrays replicated k times, so the inner loops run over L ≥ 64 contiguous values (rows of 16
// channels alone left the loops too short to vectorise well).
long rows_per_block(long S, long C) {
  for (long k : {8L, 4L, 2L})
    if (S % k == 0 && C * k <= 128) return k;
  return 1;
}

// Per-sample parameters replicated over a block: mean, invStd, scale, shift (L values each).
struct Block {
  long L = 0;
  std::vector<float> m, is, a, b;
  void set(const NormAct& p, long k, long n, const float* mean, const float* inv_std) {
    L = p.C * k;
    m.resize(L); is.resize(L); a.resize(L); b.resize(L);
    const long G = p.group ? p.C / p.group : 0;
    const float* ar = p.A ? p.A + (p.a_n == 1 ? 0 : n) * p.C : nullptr;
    const float* br = p.B ? p.B + (p.b_n == 1 ? 0 : n) * p.C : nullptr;
    for (long j = 0; j < L; j++) {
      const long c = j % p.C, st = p.group ? n * G + c / p.group : c;
      m[j] = mean[st];
      is[j] = inv_std ? inv_std[st] : 0.f;
      a[j] = ar ? ar[c] : 1.f;
      b[j] = br ? br[c] : 0.f;
    }
  }
};

// acc[j] += x[j] over the sample's blocks (double, blocks in order).
__attribute__((target_clones("avx2", "default")))
void block_sums(const float* __restrict x, long nblocks, long L, double* __restrict acc) {
  for (long q = 0; q < nblocks; q++, x += L)
    for (long j = 0; j < L; j++) acc[j] += x[j];
}

// acc[j] += ((x − m)²) as float, widened.
__attribute__((target_clones("avx2", "default")))
void block_sq_dev(const float* __restrict x, long nblocks, long L, const float* __restrict m, double* __restrict acc) {
  for (long q = 0; q < nblocks; q++, x += L)
    for (long j = 0; j < L; j++) {
      const float d = x[j] - m[j];
      acc[j] += (double)(d * d);
    }
}

// z = x̂·a + b, y = act(z) for a block.
__attribute__((target_clones("avx2", "default")))
void block_forward(const float* __restrict x, float* __restrict y, long nblocks, long L, int act, float alpha,
                   const float* __restrict m, const float* __restrict is, const float* __restrict a, const float* __restrict b) {
  for (long q = 0; q < nblocks; q++, x += L, y += L) {
    if (act == 2) {
      for (long j = 0; j < L; j++) {
        const float z = (x[j] - m[j]) * is[j] * a[j] + b[j];
        y[j] = z / (1.f + fast_exp(-z));
      }
    } else if (act == 1) {
      for (long j = 0; j < L; j++) {
        const float z = (x[j] - m[j]) * is[j] * a[j] + b[j];
        y[j] = z > 0.f ? z : z * alpha;
      }
    } else {
      for (long j = 0; j < L; j++) y[j] = (x[j] - m[j]) * is[j] * a[j] + b[j];
    }
  }
}

// dz = dy·act'(z) and x̂ for a block.
inline void block_dz(const float* __restrict x, const float* __restrict dy, long L, int act, float alpha,
                     const float* __restrict m, const float* __restrict is, const float* __restrict a,
                     const float* __restrict b, float* __restrict xh, float* __restrict dz) {
  for (long j = 0; j < L; j++) xh[j] = (x[j] - m[j]) * is[j];
  if (act == 2) {
    for (long j = 0; j < L; j++) {
      const float z = xh[j] * a[j] + b[j], s = 1.f / (1.f + fast_exp(-z));
      dz[j] = dy[j] * (s * (1.f + z * (1.f - s)));
    }
  } else if (act == 1) {
    for (long j = 0; j < L; j++) dz[j] = xh[j] * a[j] + b[j] > 0.f ? dy[j] : dy[j] * alpha;
  } else {
    for (long j = 0; j < L; j++) dz[j] = dy[j];
  }
}

// accB[j] += dz, accA[j] += dz·x̂ over the sample's blocks; dz is also stored (into dx, as
// scratch for pass 2: no second exp per element).
__attribute__((target_clones("avx2", "default")))
void block_grad_sums(const float* __restrict x, const float* __restrict dy, long nblocks, long L, int act, float alpha,
                     const float* m, const float* is, const float* a, const float* b, float* xh, float* dzs,
                     double* __restrict accA, double* __restrict accB) {
  for (long q = 0; q < nblocks; q++, x += L, dy += L, dzs += L) {
    float* __restrict dz = dzs;
    block_dz(x, dy, L, act, alpha, m, is, a, b, xh, dz);
    for (long j = 0; j < L; j++) {
      accB[j] += dz[j];
      accA[j] += (double)(dz[j] * xh[j]);
    }
  }
}

// dx = invStd · (dz·a − k1 − x̂·k2) for a block, dz read from dx (pass 1 stored it there);
// k1, k2: the statistic's means of dx̂ and dx̂·x̂.
__attribute__((target_clones("avx2", "default")))
void block_grad_dx(const float* __restrict x, float* __restrict dx, long nblocks, long L, const float* __restrict m,
                   const float* __restrict is, const float* __restrict a, const float* __restrict k1, const float* __restrict k2) {
  for (long q = 0; q < nblocks; q++, x += L, dx += L)
    for (long j = 0; j < L; j++) {
      const float xh = (x[j] - m[j]) * is[j];
      dx[j] = is[j] * (dx[j] * a[j] - k1[j] - xh * k2[j]);
    }
}

// Fold a block's L per-position sums into C channel sums (copies in order).
void fold(const std::vector<double>& accL, long C, double* out) {
  for (long c = 0; c < C; c++) {
    double t = 0.0;
    for (long j = c; j < (long)accL.size(); j += C) t += accL[j];
    out[c] = t;
  }
}

// Per-statistic totals of per-(n, c) sums: batch mode sums over n (in order), group mode over the group's channels.
void group_totals(const NormAct& p, const double* acc, double* tot) {
  if (!p.group) {
    for (long c = 0; c < p.C; c++) {
      double t = 0.0;
      for (long n = 0; n < p.N; n++) t += acc[n * p.C + c];
      tot[c] = t;
    }
    return;
  }
  const long G = p.C / p.group;
  for (long n = 0; n < p.N; n++)
    for (long g = 0; g < G; g++) {
      double t = 0.0;
      for (long k = 0; k < p.group; k++) t += acc[n * p.C + g * p.group + k];
      tot[n * G + g] = t;
    }
}

long stat_count(const NormAct& p) { return p.group ? p.N * (p.C / p.group) : p.C; }
double stat_size(const NormAct& p) { return p.group ? (double)p.S * p.group : (double)p.N * p.S; }

}  // namespace

void norm_act_forward(const NormAct& p, const float* x, float* y, float* mean, float* var) {
  const long ns = stat_count(p), k = rows_per_block(p.S, p.C), L = p.C * k, nb = p.S / k, per = p.S * p.C;
  const double m = stat_size(p);
  std::vector<double> acc((size_t)p.N * p.C), tot(ns);
  std::vector<float> inv_std(ns);
  // Pass 1: per-sample channel sums → means. Pass 2: squared deviations → variances.
  for (int pass = 0; pass < 2; pass++) {
    parallel_for(p.N, 1, [&](long n0, long n1) {
      std::vector<double> accL(L);
      Block blk;
      for (long n = n0; n < n1; n++) {
        std::fill(accL.begin(), accL.end(), 0.0);
        if (pass == 0) block_sums(x + n * per, nb, L, accL.data());
        else {
          blk.set(p, k, n, mean, nullptr);
          block_sq_dev(x + n * per, nb, L, blk.m.data(), accL.data());
        }
        fold(accL, p.C, acc.data() + n * p.C);
      }
    });
    group_totals(p, acc.data(), tot.data());
    for (long i = 0; i < ns; i++) {
      if (pass == 0) mean[i] = (float)(tot[i] / m);
      else {
        var[i] = (float)(tot[i] / m);
        inv_std[i] = 1.f / std::sqrt(var[i] + p.eps);
      }
    }
  }
  // Pass 3: y, in chunks of whole blocks.
  const long blocks = p.N * nb;
  parallel_for(blocks, (1 << 15) / L + 1, [&](long q0, long q1) {
    Block blk;
    for (long q = q0; q < q1;) {
      const long n = q / nb, end = std::min(q1, (n + 1) * nb);
      blk.set(p, k, n, mean, inv_std.data());
      block_forward(x + q * L, y + q * L, end - q, L, p.act, p.alpha, blk.m.data(), blk.is.data(), blk.a.data(), blk.b.data());
      q = end;
    }
  });
}

void norm_act_backward(const NormAct& p, const float* dy, const float* x, const float* mean, const float* var,
                       float* dx, float* dA, float* dB) {
  const long ns = stat_count(p), k = rows_per_block(p.S, p.C), L = p.C * k, nb = p.S / k, per = p.S * p.C;
  const double m = stat_size(p);
  std::vector<float> inv_std(ns);
  for (long i = 0; i < ns; i++) inv_std[i] = 1.f / std::sqrt(var[i] + p.eps);
  // Pass 1: dB[n, c] = Σ_s dz, dA[n, c] = Σ_s dz·x̂ (dz = dy·act'(z), z = x̂·A + B recomputed).
  std::vector<double> accA((size_t)p.N * p.C), accB((size_t)p.N * p.C);
  parallel_for(p.N, 1, [&](long n0, long n1) {
    std::vector<double> la(L), lb(L);
    std::vector<float> xh(L);
    Block blk;
    for (long n = n0; n < n1; n++) {
      std::fill(la.begin(), la.end(), 0.0);
      std::fill(lb.begin(), lb.end(), 0.0);
      blk.set(p, k, n, mean, inv_std.data());
      block_grad_sums(x + n * per, dy + n * per, nb, L, p.act, p.alpha, blk.m.data(), blk.is.data(), blk.a.data(), blk.b.data(),
                      xh.data(), dx + n * per, la.data(), lb.data());
      fold(la, p.C, accA.data() + n * p.C);
      fold(lb, p.C, accB.data() + n * p.C);
    }
  });
  for (long i = 0; i < p.N * p.C; i++) { dA[i] = (float)accA[i]; dB[i] = (float)accB[i]; }
  // Σ over each statistic of dx̂ = dz·A and of dx̂·x̂, from the per-(n, c) sums.
  std::vector<double> w1((size_t)p.N * p.C), w2((size_t)p.N * p.C), s1(ns), s2(ns);
  for (long n = 0; n < p.N; n++)
    for (long c = 0; c < p.C; c++) {
      const double a = p.A ? p.A[(p.a_n == 1 ? 0 : n) * p.C + c] : 1.0;
      w1[n * p.C + c] = a * accB[n * p.C + c];
      w2[n * p.C + c] = a * accA[n * p.C + c];
    }
  group_totals(p, w1.data(), s1.data());
  group_totals(p, w2.data(), s2.data());
  std::vector<float> k1(ns), k2(ns);
  for (long i = 0; i < ns; i++) { k1[i] = (float)(s1[i] / m); k2[i] = (float)(s2[i] / m); }
  // Pass 2: dx = invStd · (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)).
  const long blocks = p.N * nb;
  parallel_for(blocks, (1 << 15) / L + 1, [&](long q0, long q1) {
    Block blk, kk;
    for (long q = q0; q < q1;) {
      const long n = q / nb, end = std::min(q1, (n + 1) * nb);
      blk.set(p, k, n, mean, inv_std.data());
      kk.set(p, k, n, k1.data(), k2.data());  // kk.m = k1, kk.is = k2 per position
      block_grad_dx(x + q * L, dx + q * L, end - q, L, blk.m.data(), blk.is.data(), blk.a.data(), kk.m.data(), kk.is.data());
      q = end;
    }
  });
}

}  // namespace cvc
