// AVX-512F micro-kernel: 8 x 32 tile (16 zmm accumulators).
#include <cstring>
#include <type_traits>
#include "gemm.h"
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define CVC_NS avx512
#define CVC_VBYTES 64
#define CVC_MR 8
#define CVC_NV 2
#include "gemm_impl.inc"
