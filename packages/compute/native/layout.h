// Pure data movement for Concat, SplitV (Concat's gradient) and Tile: copies, so results are
// exactly tfjs-cpu's.
#pragma once
namespace cvc {
// dst[r·dst_stride + j] = src[r·src_stride + j] for r < rows, j < len.
void copy_rows(const float* src, long src_stride, float* dst, long dst_stride, long rows, long len);
// out = tile(x, reps): x has `rank` dims `dims`; out dims are dims[d]·reps[d].
void tile(const float* x, int rank, const long* dims, const long* reps, float* out);
// Augmentation copy for a batch of [size, size, 3] images: image j = src image idx[j], flipped
// horizontally if p[5j], shifted by (p[5j+1], p[5j+2]) = (dx, dy) with zero fill, and a
// cutout × cutout square at (p[5j+3], p[5j+4]) zeroed (cutout 0 = none). Same pixels as
// @cvc/vision's augmentInto for these draws.
void augment_copy(const float* src, const int* idx, long n, const int* p, int cutout, int size, float* dst);
}  // namespace cvc
