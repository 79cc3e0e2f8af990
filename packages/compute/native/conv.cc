#include "conv.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "threadpool.h"

namespace cvc {

// Copy x into a zero-padded buffer so every window of the conv is in bounds; returns the
// padded geometry (pads 0). Returns false when not applicable (negative pads, dilation-w > 1).
static bool pad_input(const ConvGeom& g, std::unique_ptr<float[]>& buf, ConvGeom& out) {
  if (g.padT < 0 || g.padL < 0 || g.dw != 1) return false;
  const long needH = (long)(g.OH - 1) * g.sh + (long)(g.KH - 1) * g.dh + 1;
  const long needW = (long)(g.OW - 1) * g.sw + (long)(g.KW - 1) * g.dw + 1;
  const long Hp = std::max<long>(g.padT + g.H, needH), Wp = std::max<long>(g.padL + g.W, needW);
  out = g;
  out.padT = out.padL = 0;
  if (g.padT == 0 && g.padL == 0 && Hp == g.H && Wp == g.W) return true;  // already in bounds
  buf.reset(new float[(size_t)g.N * Hp * Wp * g.C]);  // uninitialised: every element is written below
  // Each padded row r = (n, hp): zeros, or [padL zeros | input row | right zeros].
  const long rowF = Wp * g.C, left = (long)g.padL * g.C, mid = (long)g.W * g.C, right = rowF - left - mid;
  parallel_for((long)g.N * Hp, 64, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const long n = r / Hp, h = r % Hp - g.padT;
      float* dst = buf.get() + r * rowF;
      if (h < 0 || h >= g.H) { std::memset(dst, 0, sizeof(float) * rowF); continue; }
      std::memset(dst, 0, sizeof(float) * left);
      std::memcpy(dst + left, g.x + (n * g.H + h) * mid, sizeof(float) * mid);
      std::memset(dst + left + mid, 0, sizeof(float) * right);
    }
  });
  out.x = buf.get(); out.H = (int)Hp; out.W = (int)Wp;
  return true;
}

void conv2d_forward(const ConvGeom& g, const float* w, int F, float* y, const Epilogue& ep) {
  const long M = (long)g.N * g.OH * g.OW, K = (long)g.KH * g.KW * g.C;
  if (g.KH * g.KW <= 1024) {  // indirect convolution: weights packed once, rows split over threads
    const long nr = conv_nr(), npan = (F + nr - 1) / nr;
    std::vector<float> wp((size_t)npan * nr * K), zeros((size_t)g.C + 16, 0.f);
    std::unique_ptr<float[]> xpad;
    conv_pack_w(w, K, F, wp.data());
    ConvGeom gp;
    const bool padded = g.KH <= 64 && pad_input(g, xpad, gp);
    const ConvGeom& gg = padded ? gp : g;
    const float* z = padded ? nullptr : zeros.data();
    const double flops = 2.0 * M * K * F;
    const long chunks = flops < 4e6 ? 1 : even_chunks(M, 96);
    parallel_chunks(chunks, [&](long c) {
      long b, e; split_range(M, (int)chunks, (int)c, 24, &b, &e);
      if (b < e) conv_forward_rows(gg, wp.data(), F, b, e, y, ep, z);
    });
    return;
  }
  GemmArgs a{};
  a.M = M; a.N = F; a.K = K;
  a.a = {A_IM2COL, nullptr, 0, &g};
  a.b = {B_DENSE, w, F};
  a.c = y; a.ldc = F; a.accumulate = false; a.ep = ep;
  gemm(a);
}

// Stride > 1 (e.g. the transposed convs of the generators, stride-2 layers' input gradients):
// dx split by phase (ih mod sh, iw mod sw). Each phase is a stride-1 convolution of dy with the
// taps kh ≡ (ph + padT) mod sh of the flipped, io-swapped filter — a dense conv on the fast
// path, written to a temporary [N, Qh, Qw, C] and interleaved into dx. The GEMM-to-columns +
// scatter-add it replaces moved a columns buffer of KH·KW times dx's size through memory.
static void backprop_input_phases(const ConvGeom& g, const float* dy, const float* w, int F, float* dx) {
  const int sh = g.sh, sw = g.sw, C = g.C;
  std::vector<float> tmp, wf;
  for (int ph = 0; ph < sh; ph++)
    for (int pw = 0; pw < sw; pw++) {
      const long Qh = ph < g.H ? (g.H - ph + sh - 1) / sh : 0, Qw = pw < g.W ? (g.W - pw + sw - 1) / sw : 0;
      if (Qh == 0 || Qw == 0) continue;
      const int kh0 = (ph + g.padT) % sh, kw0 = (pw + g.padL) % sw;
      const int Th = kh0 < g.KH ? (g.KH - kh0 + sh - 1) / sh : 0, Tw = kw0 < g.KW ? (g.KW - kw0 + sw - 1) / sw : 0;
      // The phase's pixels: dx[n, ph + sh·qh, pw + sw·qw, :] for qh < Qh, qw < Qw.
      auto rows = [&](const std::function<void(float* dst, long n, long qh)>& fn) {
        parallel_for((long)g.N * Qh, 8, [&](long r0, long r1) {
          for (long r = r0; r < r1; r++) {
            const long n = r / Qh, qh = r % Qh;
            fn(dx + ((n * g.H + ph + sh * qh) * g.W + pw) * C, n, qh);
          }
        });
      };
      if (Th == 0 || Tw == 0) {  // no tap reaches these pixels
        rows([&](float* dst, long, long) { for (long qw = 0; qw < Qw; qw++) std::memset(dst + qw * sw * C, 0, sizeof(float) * C); });
        continue;
      }
      const int dh = (ph + g.padT - kh0) / sh, dwo = (pw + g.padL - kw0) / sw;
      // w'[th, tw, f, c] = w[kh0 + sh·(Th−1−th), kw0 + sw·(Tw−1−tw), c, f]
      wf.resize((size_t)Th * Tw * F * C);
      for (int th = 0; th < Th; th++)
        for (int tw = 0; tw < Tw; tw++) {
          const float* src = w + ((long)(kh0 + sh * (Th - 1 - th)) * g.KW + (kw0 + sw * (Tw - 1 - tw))) * C * F;
          float* dst = wf.data() + ((long)th * Tw + tw) * F * C;
          for (int c = 0; c < C; c++)
            for (int f = 0; f < F; f++) dst[(long)f * C + c] = src[(long)c * F + f];
        }
      ConvGeom d{dy, g.N, g.OH, g.OW, F, (int)Qh, (int)Qw, Th, Tw, 1, 1, 1, 1, Th - 1 - dh, Tw - 1 - dwo};
      tmp.resize((size_t)g.N * Qh * Qw * C);
      conv2d_forward(d, wf.data(), C, tmp.data(), Epilogue());
      const float* t = tmp.data();
      rows([&](float* dst, long n, long qh) {
        const float* src = t + ((n * Qh + qh) * Qw) * C;
        for (long qw = 0; qw < Qw; qw++) std::memcpy(dst + qw * sw * C, src + qw * C, sizeof(float) * C);
      });
    }
}

void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, int F, float* dx) {
  const long KK = (long)g.KH * g.KW;
  if (g.sh == 1 && g.sw == 1 && g.C >= 16) {  // few input channels: flipped conv would waste most of a panel
    // Stride 1: dx is a forward conv of dy with the spatially flipped, io-swapped filter
    // w'[kh',kw',f,c] = w[KH-1-kh', KW-1-kw', c, f] and padding (K-1)*d - pad.
    std::vector<float> wf((size_t)KK * F * g.C);
    for (int kh = 0; kh < g.KH; kh++)
      for (int kw = 0; kw < g.KW; kw++) {
        const float* src = w + ((long)(g.KH - 1 - kh) * g.KW + (g.KW - 1 - kw)) * g.C * F;
        float* dst = wf.data() + ((long)kh * g.KW + kw) * F * g.C;
        for (int c = 0; c < g.C; c++)
          for (int f = 0; f < F; f++) dst[(long)f * g.C + c] = src[(long)c * F + f];
      }
    ConvGeom d{dy, g.N, g.OH, g.OW, F, g.H, g.W, g.KH, g.KW, 1, 1, g.dh, g.dw,
               (g.KH - 1) * g.dh - g.padT, (g.KW - 1) * g.dw - g.padL};
    conv2d_forward(d, wf.data(), g.C, dx, Epilogue());
    return;
  }
  if (g.C >= 16 && g.dh == 1 && g.dw == 1 && g.padT >= 0 && g.padL >= 0) {
    backprop_input_phases(g, dy, w, F, dx);
    return;
  }
  // General stride: cols[P, KH*KW*C] = dy[P,F] * w^T, then scatter-add (col2im).
  const long P = (long)g.N * g.OH * g.OW, KC = KK * g.C;
  std::vector<float> cols((size_t)P * KC);
  GemmArgs a{};
  a.M = P; a.N = KC; a.K = F;
  a.a = {A_DENSE, dy, F, nullptr};
  a.b = {B_DENSE_T, w, F};
  a.c = cols.data(); a.ldc = KC; a.accumulate = false;
  gemm(a);
  std::memset(dx, 0, sizeof(float) * (size_t)g.N * g.H * g.W * g.C);
  const long per_img = (long)g.OH * g.OW;
  // Each thread owns whole images, so the scatter order is fixed.
  parallel_for(g.N, 1, [&](long n0, long n1) {
    for (long n = n0; n < n1; n++)
      for (long q = 0; q < per_img; q++) {
        long oh = q / g.OW, ow = q % g.OW;
        const float* src = cols.data() + (n * per_img + q) * KC;
        for (int kh = 0; kh < g.KH; kh++) {
          long ih = oh * g.sh + kh * g.dh - g.padT;
          if (ih < 0 || ih >= g.H) continue;
          for (int kw = 0; kw < g.KW; kw++) {
            long iw = ow * g.sw + kw * g.dw - g.padL;
            if (iw < 0 || iw >= g.W) continue;
            float* dst = dx + ((n * g.H + ih) * g.W + iw) * g.C;
            const float* s = src + ((long)kh * g.KW + kw) * g.C;
            for (int c = 0; c < g.C; c++) dst[c] += s[c];
          }
        }
      }
  });
}

void conv2d_backprop_filter(const ConvGeom& g, const float* dy, int F, float* dw) {
  const long P = (long)g.N * g.OH * g.OW, taps = (long)g.KH * g.KW, KC = taps * g.C;
  std::unique_ptr<float[]> xpad;
  ConvGeom gp;
  const bool padded = pad_input(g, xpad, gp);
  if (!padded && g.C < 8) {  // few channels, unpadded: one GEMM over the transposed im2col
    GemmArgs a{};
    a.M = KC; a.N = F; a.K = P;
    a.a = {A_IM2COL_T, nullptr, 0, &g};
    a.b = {B_DENSE, dy, F};
    a.c = dw; a.ldc = F; a.accumulate = false;
    a.prefer_split_k = true;
    gemm(a);
    return;
  }
  // A fixed number of pixel chunks (not thread-dependent), each with its own partial dW.
  const int T = (2.0 * KC * F * P < 4e6) ? 1 : (int)std::min<long>(4, std::max<long>(1, P / 256));
  GemmSerialFn fn = gemm_serial_fn();
  if (padded && F < 64) {
    // Narrow layers (F = 24, 48): dW^T (F x KC) = dy^T (F x P) * x_window (P x KC), so F fills
    // whole MR-row panels and the window the wide NR-column panels (F as the NR side left a
    // quarter of every panel empty). Each element's sum over pixels runs in the same order as
    // the other orientation (same chunks, same k-blocks), so the bits are the same.
    const bool whole = KC <= kMaxWin;
    const long segs = whole ? 1 : g.KH, seg = whole ? KC : (long)g.KW * g.C;
    std::vector<std::unique_ptr<float[]>> part(T);
    parallel_chunks(T, [&](long t) {
      long b, e; split_range(P, T, (int)t, 64, &b, &e);
      part[t].reset(new float[(size_t)KC * F]);  // fully written (accumulate=false)
      for (long s = 0; s < segs; s++) {
        GemmArgs a{};
        a.M = F; a.N = seg; a.K = P;
        a.a = {A_DENSE_T, dy, F, nullptr};
        a.b = {whole ? B_WIN : B_SEG, nullptr, 0, &gp, (int)s};
        a.c = part[t].get() + s * seg; a.ldc = KC; a.accumulate = false;
        fn(a, 0, F, 0, seg, b, e);
      }
    });
    // dw[kk, f] = Σ_t partT[t][f, kk], chunks in order.
    parallel_for(KC, 64, [&](long k0, long k1) {
      for (long kk = k0; kk < k1; kk++)
        for (long f = 0; f < F; f++) {
          float s = part[0][f * KC + kk];
          for (int t = 1; t < T; t++) s += part[t][f * KC + kk];
          dw[kk * F + f] = s;
        }
    });
    return;
  }
  // Per filter row kh (input padded): dw[kh] (KW*C x F) = x_kh^T (KW*C x P) * dy (P x F), or per
  // tap when padding is not applicable; dy is read in place. The pixels are cut into a fixed
  // number of chunks (independent of the thread count), each accumulating its own partial dW;
  // partials are added in chunk order, so the result is deterministic.
  // Small windows (first layer: 3x3x3 = 27 values) as one GEMM over the whole window: one
  // filter row alone (9 values) would leave most of a register panel idle.
  const bool whole = padded && g.C < 16 && KC <= kMaxWin;
  const long segs = whole ? 1 : padded ? g.KH : taps, seg = whole ? KC : padded ? (long)g.KW * g.C : g.C;
  std::vector<std::unique_ptr<float[]>> part(T > 1 ? T : 0);
  parallel_chunks(T, [&](long t) {
    long b, e; split_range(P, T, (int)t, 64, &b, &e);
    float* out = T > 1 ? (part[t].reset(new float[(size_t)KC * F]), part[t].get()) : dw;  // fully written (accumulate=false)
    for (long s = 0; s < segs; s++) {
      GemmArgs a{};
      a.M = seg; a.N = F; a.K = P;
      a.a = {whole ? A_WIN_T : padded ? A_SEG_T : A_TAP_T, nullptr, 0, padded ? &gp : &g, (int)s};
      a.b = {B_DENSE, dy, F};
      a.c = out + s * seg * F; a.ldc = F; a.accumulate = false;
      fn(a, 0, seg, 0, F, b, e);
    }
  });
  if (T > 1) {
    parallel_for(KC * F, 8192, [&](long i0, long i1) {
      for (long i = i0; i < i1; i++) {
        float s = part[0][i];
        for (int t = 1; t < T; t++) s += part[t][i];
        dw[i] = s;
      }
    });
  }
}

}  // namespace cvc
