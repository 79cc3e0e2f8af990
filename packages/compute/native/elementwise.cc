#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "threadpool.h"

namespace cvc {

static constexpr long kMinPar = 1 << 15;  // below this, threading costs more than it saves

template <class F>
static inline void apply_op(int op, F&& loop) {
  switch (op) {
    case OP_ADD: loop([](float x, float y) { return x + y; }); break;
    case OP_SUB: loop([](float x, float y) { return x - y; }); break;
    case OP_MUL: loop([](float x, float y) { return x * y; }); break;
    case OP_DIV: loop([](float x, float y) { return x / y; }); break;
    case OP_MAX: loop([](float x, float y) { return x > y || std::isnan(x) ? x : y; }); break;
    case OP_MIN: loop([](float x, float y) { return x < y || std::isnan(x) ? x : y; }); break;
    case OP_SQDIFF: loop([](float x, float y) { return (x - y) * (x - y); }); break;
  }
}

void binary(int op, const float* a_, long na, const float* b_, long nb, float* out_, long n) {
  parallel_for(n, kMinPar, [=](long i0, long i1) {
    const float* __restrict a = a_;
    const float* __restrict b = b_;
    float* __restrict out = out_;
    apply_op(op, [&](auto f) {
      if (na == n && nb == n) {
        for (long i = i0; i < i1; i++) out[i] = f(a[i], b[i]);
      } else if (na == n && nb == 1) {
        const float s = b[0];
        for (long i = i0; i < i1; i++) out[i] = f(a[i], s);
      } else if (nb == n && na == 1) {
        const float s = a[0];
        for (long i = i0; i < i1; i++) out[i] = f(s, b[i]);
      } else if (na == n) {  // b repeats along leading axes: row by row (no modulo per element)
        for (long i = i0, j = i0 % nb; i < i1; j = 0) {
          const long len = std::min(nb - j, i1 - i);
          for (long k = 0; k < len; k++) out[i + k] = f(a[i + k], b[j + k]);
          i += len;
        }
      } else if (nb == n) {
        for (long i = i0, j = i0 % na; i < i1; j = 0) {
          const long len = std::min(na - j, i1 - i);
          for (long k = 0; k < len; k++) out[i + k] = f(a[j + k], b[i + k]);
          i += len;
        }
      } else {
        for (long i = i0; i < i1; i++) out[i] = f(a[i % na], b[i % nb]);
      }
    });
  });
}

void unary(int op, const float* x_, float* out_, long n) {
  parallel_for(n, kMinPar, [=](long i0, long i1) {
    const float* __restrict x = x_;
    float* __restrict out = out_;
    switch (op) {
      case U_SQRT: for (long i = i0; i < i1; i++) out[i] = std::sqrt(x[i]); break;
      case U_SQUARE: for (long i = i0; i < i1; i++) out[i] = x[i] * x[i]; break;
      case U_NEG: for (long i = i0; i < i1; i++) out[i] = -x[i]; break;
      case U_RELU: for (long i = i0; i < i1; i++) out[i] = x[i] < 0.f ? 0.f : x[i]; break;
      case U_EXP: for (long i = i0; i < i1; i++) out[i] = std::exp(x[i]); break;
      case U_LOG: for (long i = i0; i < i1; i++) out[i] = std::log(x[i]); break;
      case U_ABS: for (long i = i0; i < i1; i++) out[i] = std::fabs(x[i]); break;
      case U_SIGMOID: for (long i = i0; i < i1; i++) out[i] = 1.f / (1.f + std::exp(-x[i])); break;
      case U_RSQRT: for (long i = i0; i < i1; i++) out[i] = 1.f / std::sqrt(x[i]); break;
      case U_RECIP: for (long i = i0; i < i1; i++) out[i] = 1.f / x[i]; break;
    }
  });
}

// NOTE: loops copy captured values into locals first; otherwise a float store through the
// output pointer may alias a captured float (e.g. alpha) and GCC will not vectorise.
static void leaky_relu_range(const float* __restrict x, float* __restrict y, long i0, long i1, float alpha) {
  for (long i = i0; i < i1; i++) y[i] = x[i] < 0.f ? alpha * x[i] : x[i];
}
static void leaky_relu_grad_range(const float* __restrict dy, const float* __restrict x, float* __restrict dx,
                                  long i0, long i1, float alpha) {
  for (long i = i0; i < i1; i++) dx[i] = x[i] > 0.f ? dy[i] : dy[i] * alpha;
}

// tfjs's Relu gradient, dy · step(x) (step: NaN for NaN, 1 above 0, else 0), as one pass.
static void relu_grad_range(const float* __restrict dy, const float* __restrict x, float* __restrict dx, long i0, long i1) {
  for (long i = i0; i < i1; i++) {
    const float s = x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : 0.f);
    dx[i] = dy[i] * s;
  }
}

void relu_grad(const float* dy, const float* x, float* dx, long n) {
  parallel_for(n, kMinPar, [=](long i0, long i1) { relu_grad_range(dy, x, dx, i0, i1); });
}

void leaky_relu(const float* x, float* y, long n, float alpha) {
  parallel_for(n, kMinPar, [=](long i0, long i1) { leaky_relu_range(x, y, i0, i1, alpha); });
}

void leaky_relu_grad(const float* dy, const float* x, float* dx, long n, float alpha) {
  parallel_for(n, kMinPar, [=](long i0, long i1) { leaky_relu_grad_range(dy, x, dx, i0, i1, alpha); });
}

void select(const uint8_t* cond, const float* a, const float* b, float* out, long n) {
  parallel_for(n, kMinPar, [=](long i0, long i1) {
    const uint8_t* __restrict c = cond;
    const float* __restrict pa = a;
    const float* __restrict pb = b;
    float* __restrict o = out;
    for (long i = i0; i < i1; i++) o[i] = c[i] ? pa[i] : pb[i];
  });
}

// Double accumulators like tfjs's JS loops; each thread owns whole output elements.
void reduce_sum(const float* x, long outer, long red, long inner, double scale, float* out) {
  const bool big = outer * red * inner >= kMinPar;
  if (inner == 1) {
    parallel_for(outer, big ? 1 : outer + 1, [&](long o0, long o1) {
      for (long o = o0; o < o1; o++) {
        const float* row = x + o * red;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // fixed 4-way split, same for any threading
        long r = 0;
        for (; r + 4 <= red; r += 4) { s0 += row[r]; s1 += row[r + 1]; s2 += row[r + 2]; s3 += row[r + 3]; }
        for (; r < red; r++) s0 += row[r];
        out[o] = (float)(((s0 + s1) + (s2 + s3)) * scale);
      }
    });
    return;
  }
  if (outer >= 2 * pool_threads() || inner < 64) {
    parallel_for(outer, big ? 1 : outer + 1, [&](long o0, long o1) {
      std::vector<double> acc(inner);
      for (long o = o0; o < o1; o++) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (long r = 0; r < red; r++) {
          const float* row = x + (o * red + r) * inner;
          for (long i = 0; i < inner; i++) acc[i] += row[i];
        }
        for (long i = 0; i < inner; i++) out[o * inner + i] = (float)(acc[i] * scale);
      }
    });
    return;
  }
  // Few outer slices (bias gradients: [N*H*W, C] -> [C]): split the reduced rows into fixed
  // per-thread ranges, each with private double partials, combined in thread order.
  const int T = big ? (int)row_chunks(red, 1024) : 1;  // fixed chunk count, not thread count
  std::vector<std::vector<double>> part(T, std::vector<double>(inner));
  for (long o = 0; o < outer; o++) {
    parallel_chunks(T, [&](long t) {
      long r0, r1; split_range(red, T, (int)t, 1, &r0, &r1);
      double* acc = part[t].data();
      std::fill(acc, acc + inner, 0.0);
      for (long r = r0; r < r1; r++) {
        const float* row = x + (o * red + r) * inner;
        for (long i = 0; i < inner; i++) acc[i] += row[i];
      }
    });
    for (long i = 0; i < inner; i++) {
      double s = 0.0;
      for (int t = 0; t < T; t++) s += part[t][i];
      out[o * inner + i] = (float)(s * scale);
    }
  }
}

void binary_strided(int op, const float* a, const float* b, float* out, int rank, const long* dims,
                    const long* sa, const long* sb) {
  if (rank == 0) { binary(op, a, 1, b, 1, out, 1); return; }
  const long inner = dims[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  long rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= dims[d];
  parallel_for(rows, inner >= kMinPar ? 1 : kMinPar / (inner + 1) + 1, [&](long r0, long r1) {
    apply_op(op, [&](auto f) {
      for (long r = r0; r < r1; r++) {
        long rem = r, oa = 0, ob = 0;  // odometer: decode the outer index
        for (int d = rank - 2; d >= 0; d--) {
          long q = rem % dims[d];
          rem /= dims[d];
          oa += q * sa[d];
          ob += q * sb[d];
        }
        const float* pa = a + oa;
        const float* pb = b + ob;
        float* po = out + r * inner;
        for (long i = 0; i < inner; i++) po[i] = f(pa[i * ia], pb[i * ib]);
      }
    });
  });
}

void batch_norm(const float* x, long n, long C, const float* mean, long nm, const float* var, long nv,
                const float* offset, long no, const float* scale, long ns, float eps, float* out) {
  // Same formula as tfjs cpu: offset + (x - mean) * scale / sqrt(var + eps)
  parallel_for(n / C, kMinPar / (C > 0 ? C : 1) + 1, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++)
      for (long c = 0; c < C; c++) {
        long i = r * C + c;
        float m = mean[nm == 1 ? 0 : c], v = var[nv == 1 ? 0 : c];
        float o = offset ? offset[no == 1 ? 0 : c] : 0.f, s = scale ? scale[ns == 1 ? 0 : c] : 1.f;
        out[i] = o + (x[i] - m) * s / std::sqrt(v + eps);
      }
  });
}

// Mirrors tfjs AdamOptimizer's op sequence (float32 at each step). Each element is read before
// it is written, so the outputs may be the inputs themselves (same index: no dependency between
// iterations, hence ivdep; without it GCC left this loop scalar). An AVX2 clone (8 lanes; no FMA,
// like the baseline build, so the same bits) is picked at load time on CPUs that have it.
__attribute__((target_clones("avx2", "default")))
void adam_range(const float* var, const float* g, const float* m, const float* v, long i0, long i1,
                float lr, float b1, float b2, float eps, float b1pow, float b2pow,
                float* var_out, float* m_out, float* v_out) {
  const float c1 = 1.f - b1, c2 = 1.f - b2, d1 = 1.f - b1pow, d2 = 1.f - b2pow;
#pragma GCC ivdep
  for (long i = i0; i < i1; i++) {
    const float gi = g[i];
    float nm = m[i] * b1 + gi * c1;
    float nv = v[i] * b2 + (gi * gi) * c2;
    float mh = nm / d1, vh = nv / d2;
    float nx = (mh / (std::sqrt(vh) + eps)) * -lr + var[i];
    m_out[i] = nm;
    v_out[i] = nv;
    var_out[i] = nx;
  }
}

void adam(const float* var, const float* g, const float* m, const float* v, long n, float lr, float b1,
          float b2, float eps, float b1pow, float b2pow, float* var_out, float* m_out, float* v_out) {
  parallel_for(n, kMinPar, [=](long i0, long i1) {
    adam_range(var, g, m, v, i0, i1, lr, b1, b2, eps, b1pow, b2pow, var_out, m_out, v_out);
  });
}

void adam_all(const AdamSlot* slots, int nslots, float lr, float b1, float b2, float eps, float b1pow, float b2pow) {
  // Cut every variable into pieces of about kPiece elements (shape-only) and run all pieces of
  // all variables as one dynamically scheduled loop: one pool wake-up per step, not one per
  // variable, and small variables (biases) share a thread with big ones.
  constexpr long kPiece = 1 << 14;
  struct Piece { int s; long b, e; };
  std::vector<Piece> pieces;
  long total = 0;
  for (int s = 0; s < nslots; s++) {
    const long n = slots[s].n;
    total += n;
    for (long b = 0; b < n; b += kPiece) pieces.push_back({s, b, std::min(n, b + kPiece)});
  }
  auto run = [&](long c) {
    const Piece& p = pieces[c];
    const AdamSlot& a = slots[p.s];
    adam_range(a.var, a.g, a.m, a.v, p.b, p.e, lr, b1, b2, eps, b1pow, b2pow, a.var_out, a.m_out, a.v_out);
  };
  if (total < kMinPar) { for (long c = 0; c < (long)pieces.size(); c++) run(c); return; }
  parallel_chunks((long)pieces.size(), run);
}

// tfjs MomentumOptimizer's op sequence per element (float32 each step):
//   acc' = m·acc + g;  v' = c·(g + acc'·m) + v (Nesterov) or c·acc' + v;  then v'·decay if given
// (the decoupled weight decay w ← w·(1 − lr·wd) the training loops apply after the step). Outputs
// may alias the inputs (same index only), hence ivdep. No FMA in either clone: the same bits.
__attribute__((target_clones("avx2", "default")))
static void momentum_range(const float* var, const float* g, const float* acc, long i0, long i1, float m, float c,
                           bool nesterov, bool has_decay, float decay, float* var_out, float* acc_out) {
  if (nesterov) {
#pragma GCC ivdep
    for (long i = i0; i < i1; i++) {
      const float gi = g[i];
      const float na = m * acc[i] + gi;
      const float step = c * (gi + na * m);
      float nv = step + var[i];
      if (has_decay) nv = nv * decay;
      acc_out[i] = na;
      var_out[i] = nv;
    }
  } else {
#pragma GCC ivdep
    for (long i = i0; i < i1; i++) {
      const float na = m * acc[i] + g[i];
      const float step = c * na;
      float nv = step + var[i];
      if (has_decay) nv = nv * decay;
      acc_out[i] = na;
      var_out[i] = nv;
    }
  }
}

__attribute__((target_clones("avx2", "default")))
static void ema_range(const float* avg, const float* w, float* out, long i0, long i1, float d, float c) {
#pragma GCC ivdep
  for (long i = i0; i < i1; i++) {
    const float a = avg[i] * d;
    const float b = w[i] * c;
    out[i] = a + b;
  }
}

void ema_all(const EmaSlot* slots, int nslots, float d, float c) {
  constexpr long kPiece = 1 << 14;
  struct Piece { int s; long b, e; };
  std::vector<Piece> pieces;
  long total = 0;
  for (int s = 0; s < nslots; s++) {
    total += slots[s].n;
    for (long b = 0; b < slots[s].n; b += kPiece) pieces.push_back({s, b, std::min(slots[s].n, b + kPiece)});
  }
  auto run = [&](long k) {
    const Piece& p = pieces[k];
    ema_range(slots[p.s].avg, slots[p.s].w, slots[p.s].out, p.b, p.e, d, c);
  };
  if (total < kMinPar) { for (long k = 0; k < (long)pieces.size(); k++) run(k); return; }
  parallel_chunks((long)pieces.size(), run);
}

void momentum_all(const MomentumSlot* slots, int nslots, float m, float c, bool nesterov) {
  constexpr long kPiece = 1 << 14;  // as adam_all: pieces of all variables in one parallel loop
  struct Piece { int s; long b, e; };
  std::vector<Piece> pieces;
  long total = 0;
  for (int s = 0; s < nslots; s++) {
    const long n = slots[s].n;
    total += n;
    for (long b = 0; b < n; b += kPiece) pieces.push_back({s, b, std::min(n, b + kPiece)});
  }
  auto run = [&](long k) {
    const Piece& p = pieces[k];
    const MomentumSlot& a = slots[p.s];
    momentum_range(a.var, a.g, a.acc, p.b, p.e, m, c, nesterov, a.has_decay, a.decay, a.var_out, a.acc_out);
  };
  if (total < kMinPar) { for (long k = 0; k < (long)pieces.size(); k++) run(k); return; }
  parallel_chunks((long)pieces.size(), run);
}

}  // namespace cvc
