// Run-time ISA selection and the multi-threaded GEMM driver.
#include "gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace cvc {
#define CVC_ARCH_DECLS                                                                       \
  void gemm_serial(const GemmArgs&, long, long, long, long, long, long);                  \
  int conv_nr();                                                                           \
  void conv_pack_w(const float*, long, long, float*);                                      \
  void conv_forward_rows(const ConvGeom&, const float*, long, long, long, float*, const Epilogue&, const float*);
namespace avx512 { CVC_ARCH_DECLS }
namespace avx2 { CVC_ARCH_DECLS }
namespace generic { CVC_ARCH_DECLS }

namespace {
struct Arch {
  const char* name;
  GemmSerialFn fn;
  int (*nr)();
  void (*pack)(const float*, long, long, float*);
  void (*conv)(const ConvGeom&, const float*, long, long, long, float*, const Epilogue&, const float*);
};
#define CVC_ARCH(ns) Arch{#ns, ns::gemm_serial, ns::conv_nr, ns::conv_pack_w, ns::conv_forward_rows}
Arch pick_arch() {
  const char* force = std::getenv("CVC_ARCH");  // testing aid: avx512 | avx2 | generic
  __builtin_cpu_init();
  bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  bool has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (force && !std::strcmp(force, "generic")) return CVC_ARCH(generic);
  if (force && !std::strcmp(force, "avx2") && has2) return CVC_ARCH(avx2);
  if (has512 && !(force && !std::strcmp(force, "avx2"))) return CVC_ARCH(avx512);
  if (has2) return CVC_ARCH(avx2);
  return CVC_ARCH(generic);
}
const Arch& arch() { static Arch a = pick_arch(); return a; }
}  // namespace

const char* gemm_arch() { return arch().name; }
int conv_nr() { return arch().nr(); }
GemmSerialFn gemm_serial_fn() { return arch().fn; }
void conv_pack_w(const float* w, long K, long F, float* dst) { arch().pack(w, K, F, dst); }
void conv_forward_rows(const ConvGeom& g, const float* wp, long F, long m0, long m1, float* y,
                       const Epilogue& ep, const float* zeros) {
  arch().conv(g, wp, F, m0, m1, y, ep, zeros);
}

float* scratch(int slot, unsigned long n) {
  thread_local std::vector<float> bufs[4];
  auto& b = bufs[slot];
  if (b.size() < n) b.resize(n);
  return b.data();
}

static inline float act1(float v, const Epilogue& ep) {
  switch (ep.act) {
    case ACT_RELU: return v > 0.f ? v : 0.f;
    case ACT_RELU6: return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case ACT_LEAKY: return v < 0.f ? ep.alpha * v : v;
    case ACT_SIGMOID: return 1.f / (1.f + std::exp(-v));
    case ACT_ELU: return v >= 0.f ? v : std::exp(v) - 1.f;
    default: return v;
  }
}

void apply_epilogue(float* c, long ldc, long m0, long m1, long n0, long n1, const Epilogue& ep) {
  if (!ep.bias && ep.act == ACT_LINEAR) return;
  for (long m = m0; m < m1; m++) {
    float* row = c + m * ldc;
    if (ep.bias) {
      if (ep.bias_scalar) for (long n = n0; n < n1; n++) row[n] += ep.bias[0];
      else for (long n = n0; n < n1; n++) row[n] += ep.bias[n];
    }
    if (ep.act == ACT_LEAKY) {
      for (long n = n0; n < n1; n++) row[n] = row[n] < 0.f ? ep.alpha * row[n] : row[n];
    } else if (ep.act == ACT_RELU) {
      for (long n = n0; n < n1; n++) row[n] = row[n] > 0.f ? row[n] : 0.f;
    } else if (ep.act != ACT_LINEAR) {
      for (long n = n0; n < n1; n++) row[n] = act1(row[n], ep);
    }
  }
}

void gemm(const GemmArgs& g) {
  GemmSerialFn fn = arch().fn;
  const double flops = 2.0 * g.M * g.N * g.K;
  if (flops < 4e6) { fn(g, 0, g.M, 0, g.N, 0, g.K); return; }
  // Chunk counts depend only on the shape, so results do not depend on the thread count.
  const bool long_k = g.prefer_split_k && g.K >= 1024;
  if (g.M >= 192 && !long_k) {  // split rows (multiples of 24 fit every MR)
    const long chunks = even_chunks(g.M, 96);
    parallel_chunks(chunks, [&](long c) {
      long b, e; split_range(g.M, (int)chunks, (int)c, 24, &b, &e);
      fn(g, b, e, 0, g.N, 0, g.K);
    });
  } else if (g.N >= 128 && !long_k) {  // split columns (multiples of 32 fit every NR)
    const long chunks = even_chunks(g.N, 64);
    parallel_chunks(chunks, [&](long c) {
      long b, e; split_range(g.N, (int)chunks, (int)c, 32, &b, &e);
      fn(g, 0, g.M, b, e, 0, g.K);
    });
  } else {  // split the reduction into fixed chunks; partials are added in chunk order
    const int C = (int)std::min<long>(4, std::max<long>(1, g.K / 256));
    std::vector<std::vector<float>> part(C);
    parallel_chunks(C, [&](long t) {
      long b, e; split_range(g.K, C, (int)t, 64, &b, &e);
      part[t].assign((size_t)g.M * g.N, 0.f);
      GemmArgs p = g;
      p.c = part[t].data(); p.ldc = g.N; p.accumulate = false; p.ep = Epilogue();
      fn(p, 0, g.M, 0, g.N, b, e);
    });
    for (long m = 0; m < g.M; m++) {
      float* row = g.c + m * g.ldc;
      for (long n = 0; n < g.N; n++) {
        float s = g.accumulate ? row[n] : 0.f;
        for (int t = 0; t < C; t++) s += part[t][m * g.N + n];
        row[n] = s;
      }
    }
    apply_epilogue(g.c, g.ldc, 0, g.M, 0, g.N, g.ep);
  }
}

}  // namespace cvc
