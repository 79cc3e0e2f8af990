// Pure data movement for Concat, SplitV (Concat's gradient) and Tile: copies, so results are
// exactly tfjs-cpu's.
#pragma once
namespace cvc {
// dst[r·dst_stride + j] = src[r·src_stride + j] for r < rows, j < len.
void copy_rows(const float* src, long src_stride, float* dst, long dst_stride, long rows, long len);
// out = tile(x, reps): x has `rank` dims `dims`; out dims are dims[d]·reps[d].
void tile(const float* x, int rank, const long* dims, const long* reps, float* out);
}  // namespace cvc
