// AVX2+FMA micro-kernel: 6 x 16 tile (12 ymm accumulators).
#include <cstring>
#include <type_traits>
#include "gemm.h"
#pragma GCC target("avx2,fma")
#define CVC_NS avx2
#define CVC_VBYTES 32
#define CVC_MR 6
#define CVC_NV 2
#include "gemm_impl.inc"
