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

void augment_copy(const float* src, const int* idx, long n, const int* p, int cutout, int size, float* dst) {
  const long px = (long)size * size * 3;
  parallel_for(n, 8, [&](long j0, long j1) {
    for (long j = j0; j < j1; j++) {
      const float* s = src + (long)idx[j] * px;
      float* d = dst + j * px;
      const int* q = p + 5 * j;
      const bool flip = q[0] != 0;
      const int dx = q[1], dy = q[2], cx0 = q[3], cy0 = q[4];
      for (int y = 0; y < size; y++) {
        const int sy = y + dy;
        for (int x = 0; x < size; x++) {
          float* o = d + ((long)y * size + x) * 3;
          const bool in_cut = cutout > 0 && x >= cx0 && x < cx0 + cutout && y >= cy0 && y < cy0 + cutout;
          int sx = x + dx;
          if (flip) sx = size - 1 - sx;
          if (in_cut || sy < 0 || sy >= size || sx < 0 || sx >= size) {
            o[0] = o[1] = o[2] = 0.f;
          } else {
            const float* i = s + ((long)sy * size + sx) * 3;
            o[0] = i[0]; o[1] = i[1]; o[2] = i[2];
          }
        }
      }
    }
  });
}

}  // namespace cvc
