// C[M,N] (row-major, ldc) = op(A)[M,K] * op(B)[K,N] (+C if accumulate), then bias/activation.
// A may be a plain matrix, a transposed one, or a virtual im2col view of an NHWC image
// (implicit convolution: no im2col buffer is ever materialised).
#pragma once

namespace cvc {

// NHWC convolution geometry. im2col row p = (n, oh, ow); column kk = (kh*KW + kw)*C + c.
struct ConvGeom {
  const float* x;  // [N, H, W, C]
  int N, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL;
};

// A_TAP_T: logical [C, N*OH*OW] = input channels at one filter tap for every output pixel.
// A_SEG_T: like A_TAP_T for a whole filter row kh (KW*C values) of a pre-padded input.
// A_WIN_T: the whole window (KH*KW*C values, at most kMaxWin) of a pre-padded input: one GEMM
//          for all filter rows when each row alone would fill only part of a register panel.
enum ASrcKind { A_DENSE = 0, A_DENSE_T = 1, A_IM2COL = 2, A_IM2COL_T = 3, A_TAP_T = 4, A_SEG_T = 5, A_WIN_T = 6 };
constexpr long kMaxWin = 256;
// B_SEG / B_WIN: the transposes of A_SEG_T / A_WIN_T as a B operand — logical [N*OH*OW, KW*C]
// (filter row `tap` of a pre-padded input) or [N*OH*OW, KH*KW*C] (whole window, at most kMaxWin).
enum BSrcKind { B_DENSE = 0, B_DENSE_T = 1, B_SEG = 2, B_WIN = 3 };

struct ASrc {
  int kind;
  const float* p;  // dense: A (M x K, ld) or A^T stored (K x M, ld)
  long ld;
  const ConvGeom* g;  // im2col: logical [N*OH*OW, KH*KW*C]; im2col_t: its transpose
  int tap = 0;        // A_TAP_T: kh*KW + kw; A_SEG_T: kh
};
struct BSrc {
  int kind;
  const float* p;  // dense: K x N (ld); dense_t: stored N x K (ld)
  long ld;
  const ConvGeom* g = nullptr;  // B_SEG, B_WIN
  int tap = 0;                  // B_SEG: kh
};

enum Act { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKY = 3, ACT_SIGMOID = 4, ACT_ELU = 5 };
struct Epilogue {
  const float* bias = nullptr;  // length N (per column) or 1 (bias_scalar)
  bool bias_scalar = false;
  int act = ACT_LINEAR;
  float alpha = 0.f;
};

// Single-threaded packed GEMM over rows [m0,m1) and columns [n0,n1) of the logical product,
// using K range [k0,k1). Arch-specific (see gemm_impl.inc).
struct GemmArgs {
  long M, N, K;
  ASrc a;
  BSrc b;
  float* c;
  long ldc;
  bool accumulate;
  Epilogue ep;
  bool prefer_split_k = false;  // e.g. filter gradients: small output, long reduction
};
using GemmSerialFn = void (*)(const GemmArgs&, long m0, long m1, long n0, long n1, long k0, long k1);

const char* gemm_arch();

// Indirect convolution for the selected ISA (see gemm_impl.inc).
int conv_nr();                                                      // panel width of packed weights
void conv_pack_w(const float* w, long K, long F, float* dst);       // dst: ceil(F/NR)*NR*K floats
void conv_forward_rows(const ConvGeom& g, const float* wp, long F, long m0, long m1, float* y,
                       const Epilogue& ep, const float* zeros);  // "avx512" | "avx2" | "generic"

GemmSerialFn gemm_serial_fn();  // the selected ISA's single-threaded GEMM

// Multi-threaded driver with a fixed partition (M, then N, then K with ordered reduction).
void gemm(const GemmArgs& args);

// Thread-local growable scratch buffer (slot 0..3); valid until the next call with that slot.
float* scratch(int slot, unsigned long n);

void apply_epilogue(float* c, long ldc, long m0, long m1, long n0, long n1, const Epilogue& ep);

}  // namespace cvc
