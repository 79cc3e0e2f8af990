#include "layout.h"

#include <cstring>

#include "threadpool.h"

namespace cvc {

void copy_rows(const float* src, long src_stride, float* dst, long dst_stride, long rows, long len) {
  if (rows <= 0 || len <= 0) return;
  parallel_for(rows, (1 << 15) / len + 1, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) std::memcpy(dst + r * dst_stride, src + r * src_stride, (size_t)len * sizeof(float));
  });
}

void tile(const float* x, int rank, const long* dims, const long* reps, float* out) {
  // Output rows over all dims but the last: each is the source row (last dim) repeated.
  const long last = dims[rank - 1], lastReps = reps[rank - 1], outLast = last * lastReps;
  long rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= dims[d] * reps[d];
  parallel_for(rows, (1 << 15) / (outLast + 1) + 1, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      long rem = r, src = 0, stride = last;
      for (int d = rank - 2; d >= 0; d--) {  // decode the output row index, map to the source row
        const long od = dims[d] * reps[d];
        const long q = rem % od;
        rem /= od;
        src += (q % dims[d]) * stride;
        stride *= dims[d];
      }
      float* o = out + r * outLast;
      for (long k = 0; k < lastReps; k++) std::memcpy(o + k * last, x + src, (size_t)last * sizeof(float));
    }
  });
}

}  // namespace cvc
