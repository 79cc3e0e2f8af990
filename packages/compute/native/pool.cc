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
        float* __restrict out = y + ((r * g.OW) + ow) * g.C;
        for (int c = 0; c < g.C; c++) out[c] = -std::numeric_limits<float>::infinity();
        long h0, h1, w0, w1; window(g, oh, ow, &h0, &h1, &w0, &w1);
        for (long h = h0; h < h1; h++)
          for (long w = w0; w < w1; w++) {
            const float* __restrict in = x + ((n * g.H + h) * g.W + w) * g.C;
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
          // First strict maximum in scan order == first element equal to the maximum
          // (NaN never compares greater, like tfjs-cpu). Explicit 4-lane vectors: GCC does
          // not if-convert the scalar form.
          typedef float v4 __attribute__((vector_size(16), aligned(4), may_alias));
          typedef int v4i __attribute__((vector_size(16)));
          const float ninf = -std::numeric_limits<float>::infinity();
          const v4 vninf = {ninf, ninf, ninf, ninf}, zero = {0.f, 0.f, 0.f, 0.f};
          int c = 0;
          for (; c + 4 <= g.C; c += 4) {
            const v4 a0 = *(const v4*)(x0 + c), a1 = *(const v4*)(x1 + c), a2 = *(const v4*)(x2 + c),
                     a3 = *(const v4*)(x3 + c), gv = *(const v4*)(dd + c);
            v4 m = a0 > vninf ? a0 : vninf;
            m = a1 > m ? a1 : m;
            m = a2 > m ? a2 : m;
            m = a3 > m ? a3 : m;
            const v4i valid = m > vninf;
            const v4i e0 = valid & (a0 == m);
            const v4i e1 = valid & ~e0 & (a1 == m);
            const v4i e2 = valid & ~(e0 | e1) & (a2 == m);
            const v4i e3 = valid & ~(e0 | e1 | e2) & (a3 == m);
            *(v4*)(d0 + c) = e0 ? gv : zero;
            *(v4*)(d1 + c) = e1 ? gv : zero;
            *(v4*)(d2 + c) = e2 ? gv : zero;
            *(v4*)(d3 + c) = e3 ? gv : zero;
          }
          for (; c < g.C; c++) {
            const float a0 = x0[c], a1 = x1[c], a2 = x2[c], a3 = x3[c];
            float m = a0 > ninf ? a0 : ninf;
            m = a1 > m ? a1 : m;
            m = a2 > m ? a2 : m;
            m = a3 > m ? a3 : m;
            const bool valid = m > ninf;
            const bool e0 = valid & (a0 == m);
            const bool e1 = valid & !e0 & (a1 == m);
            const bool e2 = valid & !(e0 | e1) & (a2 == m);
            const bool e3 = valid & !(e0 | e1 | e2) & (a3 == m);
            const float gv = dd[c];
            d0[c] = e0 ? gv : 0.f;
            d1[c] = e1 ? gv : 0.f;
            d2[c] = e2 ? gv : 0.f;
            d3[c] = e3 ? gv : 0.f;
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
