// The training batch norm's passes (norm.cc) with explicit vectors: the per-channel double sums
// stay in registers across rows (the compiler's loops loaded and stored them every row: a
// store-to-load chain per row), 8 channels per vector. Every element sees the same float and
// double operations in the same order as the scalar loops in norm.cc (no FMA: contraction is
// off here and checked by the tests' bit-for-bit comparison), so the results are identical.
#include "norm_avx512.h"

#include <immintrin.h>

#include <cstring>

#include "gemm.h"

namespace cvc {

#define CVC_BN512 __attribute__((target("avx512f,avx512dq"), optimize("fp-contract=off")))

bool bn_avx512_usable(long C) {
  static const bool on = !std::strcmp(gemm_arch(), "avx512");  // follows CVC_ARCH (tests: avx2 = the scalar loops)
  return on && C % 8 == 0 && C > 0;
}

namespace {

constexpr int kSeg = 6;  // channel vectors per pass over the rows (2 × 6 double accumulators in the gradient)

template <int NV> CVC_BN512
void sums_seg(const float* __restrict x, long r0, long r1, long C, const float* __restrict m, double* __restrict acc) {
  __m512d a[NV];
  for (int v = 0; v < NV; v++) a[v] = _mm512_loadu_pd(acc + 8 * v);
  __m256 mv[NV];
  if (m) for (int v = 0; v < NV; v++) mv[v] = _mm256_loadu_ps(m + 8 * v);
  for (long r = r0; r < r1; r++) {
    const float* row = x + r * C;
    for (int v = 0; v < NV; v++) {
      __m256 t = _mm256_loadu_ps(row + 8 * v);
      if (m) {  // (x − m)², in float
        const __m256 d = _mm256_sub_ps(t, mv[v]);
        t = _mm256_mul_ps(d, d);
      }
      a[v] = _mm512_add_pd(a[v], _mm512_cvtps_pd(t));
    }
  }
  for (int v = 0; v < NV; v++) _mm512_storeu_pd(acc + 8 * v, a[v]);
}

template <int NV> CVC_BN512
void grad_sums_seg(const float* __restrict dy, const float* __restrict x, long r0, long r1, long C,
                   const float* __restrict m, const float* __restrict is, const float* __restrict g,
                   const float* __restrict b, bool leaky, float alpha, double* __restrict a0p, double* __restrict a1p) {
  __m512d a0[NV], a1[NV];
  for (int v = 0; v < NV; v++) { a0[v] = _mm512_loadu_pd(a0p + 8 * v); a1[v] = _mm512_loadu_pd(a1p + 8 * v); }
  const __m256 va = _mm256_set1_ps(alpha), zero = _mm256_setzero_ps();
  for (long r = r0; r < r1; r++) {
    const float* xr = x + r * C;
    const float* dr = dy + r * C;
    for (int v = 0; v < NV; v++) {
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + 8 * v), _mm256_loadu_ps(m + 8 * v)), _mm256_loadu_ps(is + 8 * v));
      __m256 dz = _mm256_loadu_ps(dr + 8 * v);
      if (leaky) {  // y > 0 ? dy : dy·alpha, y = x̂·g + b (NaN: dy·alpha)
        const __m256 y = _mm256_add_ps(_mm256_mul_ps(xhat, _mm256_loadu_ps(g + 8 * v)), _mm256_loadu_ps(b + 8 * v));
        dz = _mm256_blendv_ps(_mm256_mul_ps(dz, va), dz, _mm256_cmp_ps(y, zero, _CMP_GT_OQ));
      }
      const __m256 p = _mm256_mul_ps(dz, xhat);
      a0[v] = _mm512_add_pd(a0[v], _mm512_cvtps_pd(dz));
      a1[v] = _mm512_add_pd(a1[v], _mm512_cvtps_pd(p));
    }
  }
  for (int v = 0; v < NV; v++) { _mm512_storeu_pd(a0p + 8 * v, a0[v]); _mm512_storeu_pd(a1p + 8 * v, a1[v]); }
}

// Channels in segments of ≤ kSeg vectors; each segment's sums over the rows in order.
template <class F> void by_segment(long C, F&& f) {
  for (long c0 = 0; c0 < C; c0 += 8 * kSeg) {
    const int nv = (int)((C - c0) / 8 < kSeg ? (C - c0) / 8 : kSeg);
    f(c0, nv);
  }
}

#define CVC_NV_SWITCH(nv, CALL) \
  switch (nv) { case 1: CALL(1); break; case 2: CALL(2); break; case 3: CALL(3); break; \
                case 4: CALL(4); break; case 5: CALL(5); break; default: CALL(6); break; }

}  // namespace

void bn_col_sums_avx512(const float* x, long r0, long r1, long C, const float* m, double* acc) {
  by_segment(C, [&](long c0, int nv) {
#define CALL(N) sums_seg<N>(x + c0, r0, r1, C, m ? m + c0 : nullptr, acc + c0)
    CVC_NV_SWITCH(nv, CALL)
#undef CALL
  });
}

void bn_grad_sums_avx512(const float* dy, const float* x, long r0, long r1, long C, const float* m, const float* is,
                         const float* g, const float* b, bool leaky, float alpha, double* acc) {
  by_segment(C, [&](long c0, int nv) {
#define CALL(N) grad_sums_seg<N>(dy + c0, x + c0, r0, r1, C, m + c0, is + c0, g + c0, b + c0, leaky, alpha, acc + c0, acc + C + c0)
    CVC_NV_SWITCH(nv, CALL)
#undef CALL
  });
}

CVC_BN512
void bn_apply_avx512(const float* x, long r0, long r1, long C, const float* m, const float* is, const float* g,
                     const float* b, float* y, bool leaky, float alpha) {
  const __m256 va = _mm256_set1_ps(alpha), zero = _mm256_setzero_ps();
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c += 8) {
      const long i = r * C + c;
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(m + c)), _mm256_loadu_ps(is + c));
      __m256 v = _mm256_add_ps(_mm256_mul_ps(xhat, _mm256_loadu_ps(g + c)), _mm256_loadu_ps(b + c));
      if (leaky) v = _mm256_blendv_ps(v, _mm256_mul_ps(va, v), _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
      _mm256_storeu_ps(y + i, v);
    }
}

CVC_BN512
void bn_grad_apply_avx512(const float* dy, const float* x, long r0, long r1, long C, const float* m, const float* is,
                          const float* mb, const float* mg, const float* gis, const float* g, const float* b, bool leaky,
                          float alpha, float* dx) {
  const __m256 va = _mm256_set1_ps(alpha), zero = _mm256_setzero_ps();
  for (long r = r0; r < r1; r++)
    for (long c = 0; c < C; c += 8) {
      const long i = r * C + c;
      const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(m + c)), _mm256_loadu_ps(is + c));
      __m256 dz = _mm256_loadu_ps(dy + i);
      if (leaky) {
        const __m256 yv = _mm256_add_ps(_mm256_mul_ps(xhat, _mm256_loadu_ps(g + c)), _mm256_loadu_ps(b + c));
        dz = _mm256_blendv_ps(_mm256_mul_ps(dz, va), dz, _mm256_cmp_ps(yv, zero, _CMP_GT_OQ));
      }
      const __m256 a = _mm256_sub_ps(dz, _mm256_loadu_ps(mb + c));
      const __m256 bb = _mm256_mul_ps(xhat, _mm256_loadu_ps(mg + c));
      _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_sub_ps(a, bb), _mm256_loadu_ps(gis + c)));
    }
}

}  // namespace cvc
