// AVX-512 versions of the training batch norm's row passes (norm.cc), for C a multiple of 8:
// the same operations per element in the same order (same bits), sums kept in registers.
#pragma once
namespace cvc {
bool bn_avx512_usable(long C);
// acc[c] += x[r, c] (m == nullptr) or += (float)((x[r, c] − m[c])²), rows r0..r1 in order.
void bn_col_sums_avx512(const float* x, long r0, long r1, long C, const float* m, double* acc);
// acc[c] += dz, acc[C + c] += dz·x̂ (as norm.cc's bn_grad_sums).
void bn_grad_sums_avx512(const float* dy, const float* x, long r0, long r1, long C, const float* m, const float* is,
                         const float* g, const float* b, bool leaky, float alpha, double* acc);
void bn_apply_avx512(const float* x, long r0, long r1, long C, const float* m, const float* is, const float* g,
                     const float* b, float* y, bool leaky, float alpha);
void bn_grad_apply_avx512(const float* dy, const float* x, long r0, long r1, long C, const float* m, const float* is,
                          const float* mb, const float* mg, const float* gis, const float* g, const float* b, bool leaky,
                          float alpha, float* dx);
}  // namespace cvc
