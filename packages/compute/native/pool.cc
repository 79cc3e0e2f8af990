#include "pool.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "threadpool.h"

namespace cvc {

static inline void window(const PoolGeom& g, long oh, long ow, long* h0, long* h1, long* w0, long* w1) {
  long hc = oh * g.sh - g.padT, wc = ow * g.sw - g.padL;
  *h0 = hc < 0 ? 0 : hc; *h1 = hc + g.fh < g.H ? hc + g.fh : g.H;
  *w0 = wc < 0 ? 0 : wc; *w1 = wc + g.fw < g.W ? wc + g.fw : g.W;
}

void max_pool(const PoolGeom& g, const float* x, float* y) {
  const long rows = (long)g.N * g.OH;
  parallel_for(rows, 8, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      long n = r / g.OH, oh = r % g.OH;
      for (long ow = 0; ow < g.OW; ow++) {
        float* out = y + ((r * g.OW) + ow) * g.C;
        for (int c = 0; c < g.C; c++) out[c] = -std::numeric_limits<float>::infinity();
        long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
        for (long h = h0; h < h1; h++)
          for (long w = w0; w < w1; w++) {
            const float* in = x + ((n * g.H + h) * g.W + w) * g.C;
            for (int c = 0; c < g.C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
          }
      }
    }
  });
}

// Non-overlapping windows (stride >= filter): every input belongs to at most one window, so
// dx can be written directly, branch-free and vectorised over channels.
static void max_pool_grad_disjoint(const PoolGeom& g, const float* dy, const float* x, float* dx) {
  const long rows = (long)g.N * g.OH;
  parallel_for(rows, 4, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      long n = r / g.OH, oh = r % g.OH;
      for (long ow = 0; ow < g.OW; ow++) {
        long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
        const float* d = dy + (r * g.OW + ow) * g.C;
        int nq = 0;
        long base[64];
        for (long h = h0; h < h1; h++)
          for (long w = w0; w < w1; w++) base[nq++] = ((n * g.H + h) * g.W + w) * g.C;
        if (nq == 4) {  // full 2x2 window: straight-line, vectorised over channels
          const float* __restrict x0 = x + base[0];
          const float* __restrict x1 = x + base[1];
          const float* __restrict x2 = x + base[2];
          const float* __restrict x3 = x + base[3];
          float* __restrict d0 = dx + base[0];
          float* __restrict d1 = dx + base[1];
          float* __restrict d2 = dx + base[2];
          float* __restrict d3 = dx + base[3];
          const float* __restrict dd = d;
          for (int c = 0; c < g.C; c++) {
            float m = -std::numeric_limits<float>::infinity();
            int p = -1;
            float v = x0[c]; bool gt = v > m; m = gt ? v : m; p = gt ? 0 : p;
            v = x1[c]; gt = v > m; m = gt ? v : m; p = gt ? 1 : p;
            v = x2[c]; gt = v > m; m = gt ? v : m; p = gt ? 2 : p;
            v = x3[c]; gt = v > m; m = gt ? v : m; p = gt ? 3 : p;
            const float gv = dd[c];
            d0[c] = p == 0 ? gv : 0.f;
            d1[c] = p == 1 ? gv : 0.f;
            d2[c] = p == 2 ? gv : 0.f;
            d3[c] = p == 3 ? gv : 0.f;
          }
          continue;
        }
        for (int c = 0; c < g.C; c++) {
          float best = -std::numeric_limits<float>::infinity();
          int pos = -1;
          for (int q = 0; q < nq; q++) {
            float v = x[base[q] + c];
            bool gt = v > best;  // first strictly greater, as tfjs-backend-cpu
            best = gt ? v : best;
            pos = gt ? q : pos;
          }
          for (int q = 0; q < nq; q++) dx[base[q] + c] = q == pos ? d[c] : 0.f;
        }
      }
    }
  });
}

void max_pool_grad(const PoolGeom& g, const float* dy, const float* x, float* dx) {
  if (g.sh >= g.fh && g.sw >= g.fw && g.fh * g.fw <= 64) {
    // Inputs outside every window (odd sizes, 'valid') must still be zero.
    const bool tiles_exactly = g.sh == g.fh && g.sw == g.fw && g.padT == 0 && g.padL == 0 &&
                               (long)g.OH * g.sh == g.H && (long)g.OW * g.sw == g.W;
    if (!tiles_exactly) std::memset(dx, 0, sizeof(float) * (size_t)g.N * g.H * g.W * g.C);
    max_pool_grad_disjoint(g, dy, x, dx);
    return;
  }
  std::memset(dx, 0, sizeof(float) * (size_t)g.N * g.H * g.W * g.C);
  // Threads own whole images, so every dx element is accumulated in a fixed order.
  parallel_for(g.N, 1, [&](long n0, long n1) {
    std::vector<float> best(g.C);
    std::vector<long> pos(g.C);
    for (long n = n0; n < n1; n++)
      for (long oh = 0; oh < g.OH; oh++)
        for (long ow = 0; ow < g.OW; ow++) {
          for (int c = 0; c < g.C; c++) { best[c] = -std::numeric_limits<float>::infinity(); pos[c] = -1; }
          long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
          for (long h = h0; h < h1; h++)
            for (long w = w0; w < w1; w++) {
              long base = ((n * g.H + h) * g.W + w) * g.C;
              for (int c = 0; c < g.C; c++)
                if (x[base + c] > best[c]) { best[c] = x[base + c]; pos[c] = base + c; }
            }
          const float* d = dy + ((n * g.OH + oh) * g.OW + ow) * g.C;
          for (int c = 0; c < g.C; c++)
            if (pos[c] >= 0) dx[pos[c]] += d[c];
        }
  });
}

void avg_pool(const PoolGeom& g, const float* x, float* y) {
  const long rows = (long)g.N * g.OH;
  parallel_for(rows, 8, [&](long r0, long r1) {
    std::vector<float> acc(g.C);
    for (long r = r0; r < r1; r++) {
      long n = r / g.OH, oh = r % g.OH;
      for (long ow = 0; ow < g.OW; ow++) {
        for (int c = 0; c < g.C; c++) acc[c] = 0.f;
        long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
        long count = 0;
        for (long h = h0; h < h1; h++)
          for (long w = w0; w < w1; w++, count++) {
            const float* in = x + ((n * g.H + h) * g.W + w) * g.C;
            for (int c = 0; c < g.C; c++) acc[c] += in[c];
          }
        float* out = y + ((r * g.OW) + ow) * g.C;
        for (int c = 0; c < g.C; c++) out[c] = acc[c] / (float)count;
      }
    }
  });
}

void avg_pool_grad(const PoolGeom& g, const float* dy, float* dx) {
  const long total = (long)g.N * g.H * g.W * g.C;
  std::memset(dx, 0, sizeof(float) * (size_t)total);
  const float mult = 1.f / (float)(g.fh * g.fw);
  parallel_for(g.N, 1, [&](long n0, long n1) {
    for (long n = n0; n < n1; n++) {
      for (long oh = 0; oh < g.OH; oh++)
        for (long ow = 0; ow < g.OW; ow++) {
          const float* d = dy + ((n * g.OH + oh) * g.OW + ow) * g.C;
          long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
          for (long h = h0; h < h1; h++)
            for (long w = w0; w < w1; w++) {
              float* o = dx + ((n * g.H + h) * g.W + w) * g.C;
              for (int c = 0; c < g.C; c++) o[c] += d[c];
            }
        }
      float* o = dx + n * (long)g.H * g.W * g.C;
      for (long i = 0; i < (long)g.H * g.W * g.C; i++) o[i] *= mult;
    }
  });
}

}  // namespace cvc
