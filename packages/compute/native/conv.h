// NHWC float32 2-D convolution and its two gradients, all as implicit GEMMs.
#pragma once
#include "gemm.h"

namespace cvc {
// y[N,OH,OW,F] = conv(x, w[KH,KW,C,F]) + epilogue. g.x = x.
void conv2d_forward(const ConvGeom& g, const float* w, int F, float* y, const Epilogue& ep);
// dx[N,H,W,C] from dy[N,OH,OW,F]; g describes the forward conv (g.x unused).
void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, int F, float* dx);
// dw[KH,KW,C,F] from x (g.x) and dy[N,OH,OW,F].
void conv2d_backprop_filter(const ConvGeom& g, const float* dy, int F, float* dw);
}  // namespace cvc
