// Portable fallback (GCC vector extensions; SSE2 on baseline x86-64): 4 x 8 tile.
#include <cstring>
#include <type_traits>
#include "gemm.h"
#define CVC_NS generic
#define CVC_VBYTES 16
#define CVC_MR 4
#define CVC_NV 2
#include "gemm_impl.inc"
