// Per-layer GFLOP/s of the native conv kernels on the reference CNN's shapes (batch 32 and the
// epoch's last batch of 8), outside Node. Build and run: `bash bench/kernel-harness.sh`.
// Prints wall time, thread-CPU time (all threads of the process) and GFLOP/s per kernel.
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../native/conv.h"
#include "../native/pool.h"
#include "../native/threadpool.h"

using namespace cvc;

static double now() { timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static double cpu() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

// Returns the median CPU seconds.
template <class F> static double timeit(const char* what, double flops, F&& f) {
  f();  // warm-up
  std::vector<double> w, c;
  const int reps = std::getenv("HARNESS_REPS") ? std::atoi(std::getenv("HARNESS_REPS")) : 7;
  for (int r = 0; r < reps; r++) {
    double c0 = cpu(), t0 = now();
    f();
    w.push_back(now() - t0); c.push_back(cpu() - c0);
  }
  std::sort(w.begin(), w.end()); std::sort(c.begin(), c.end());
  const size_t m = w.size() / 2;
  std::printf("  %-8s %8.3f ms wall %8.3f ms cpu  %6.1f GFLOP/s (wall)  %6.1f (cpu)\n", what, w[m] * 1e3, c[m] * 1e3,
              flops / w[m] * 1e-9, flops / c[m] * 1e-9);
  return c[m];
}

// HARNESS_NET=resnet|generator: the pipeline's own conv shapes (the resnet at batch 128; the GAN,
// VAE and diffusion convs at batch 64; HARNESS_BATCH=n overrides), forward / input gradient / filter gradient each.
struct Shape { const char* name; int N, H, C, F, K, S; };
static int run_net(const char* net) {
  const bool resnet = std::string(net) == "resnet";
  std::vector<Shape> shapes = resnet ? std::vector<Shape>{
      {"stem", 128, 32, 3, 24, 3, 1}, {"s1 conv", 128, 16, 24, 24, 3, 1}, {"s2 conv1", 128, 16, 24, 48, 3, 2},
      {"s2 conv2", 128, 8, 48, 48, 3, 1}, {"s2 proj", 128, 16, 24, 48, 1, 2}, {"s3 conv1", 128, 8, 48, 96, 3, 2},
      {"s3 conv2", 128, 4, 96, 96, 3, 1}, {"s3 proj", 128, 8, 48, 96, 1, 2}}
    : std::vector<Shape>{
      {"D conv1 4s2", 64, 32, 3, 32, 4, 2}, {"D conv1b", 64, 16, 32, 32, 3, 1}, {"D conv2 4s2", 64, 16, 32, 64, 4, 2},
      {"D conv3 4s2", 64, 8, 64, 128, 4, 2}, {"G up1 (T)", 64, 8, 64, 128, 4, 2}, {"G up2 (T)", 64, 16, 32, 64, 4, 2},
      {"G up3 (T)", 64, 32, 16, 32, 4, 2}, {"VAE up3 (T)", 64, 32, 3, 34, 4, 2}, {"diff res16", 64, 16, 32, 32, 3, 1},
      {"diff mid", 64, 8, 64, 64, 3, 1}, {"diff in", 64, 32, 3, 16, 3, 1}, {"diff out", 64, 32, 16, 3, 3, 1}};
  double tot[3] = {0, 0, 0};
  const int batch = std::getenv("HARNESS_BATCH") ? std::atoi(std::getenv("HARNESS_BATCH")) : 0;  // e.g. 32: the classifier's
  for (Shape l : shapes) {
    if (batch > 0) l.N = batch;
    if (const char* only = std::getenv("HARNESS_ONLY"); only && std::string(l.name).rfind(only, 0) != 0) continue;  // e.g. stem
    const int OH = (l.H + l.S - 1) / l.S;
    const int padTotal = std::max((OH - 1) * l.S + l.K - l.H, 0);
    ConvGeom g{nullptr, l.N, l.H, l.H, l.C, OH, OH, l.K, l.K, l.S, l.S, 1, 1, padTotal / 2, padTotal / 2};
    std::vector<float> x((size_t)l.N * l.H * l.H * l.C), w((size_t)l.K * l.K * l.C * l.F), y((size_t)l.N * OH * OH * l.F),
        dx(x.size()), dw(w.size());
    for (size_t i = 0; i < x.size(); i++) x[i] = (float)((i * 2654435761u) % 1000) / 1000.f - 0.5f;
    for (size_t i = 0; i < w.size(); i++) w[i] = (float)((i * 40503u) % 1000) / 1000.f - 0.5f;
    for (size_t i = 0; i < y.size(); i++) y[i] = (float)((i * 7919u) % 1000) / 1000.f - 0.5f;
    g.x = x.data();
    const double flops = 2.0 * l.N * OH * OH * (double)l.K * l.K * l.C * l.F;
    std::printf("%-12s N=%d %dx%dx%d -> %d k%d s%d (%.1f MFLOP)\n", l.name, l.N, l.H, l.H, l.C, l.F, l.K, l.S, flops * 1e-6);
    double t[3];
    t[0] = timeit("fwd", flops, [&] { conv2d_forward(g, w.data(), l.F, y.data(), Epilogue()); });
    t[1] = timeit("bp-input", flops, [&] { conv2d_backprop_input(g, y.data(), w.data(), l.F, dx.data()); });
    t[2] = timeit("bp-filt", flops, [&] { conv2d_backprop_filter(g, y.data(), l.F, dw.data()); });
    for (int k = 0; k < 3; k++) tot[k] += t[k];
  }
  std::printf("total cpu ms: fwd %.2f  bp-input %.2f  bp-filt %.2f\n", tot[0] * 1e3, tot[1] * 1e3, tot[2] * 1e3);
  return 0;
}

int main() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // as the addon does: recycle big buffers
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::printf("threads %d\n", pool_threads());
  if (const char* net = std::getenv("HARNESS_NET")) return run_net(net);
  struct L { int H, C, F; bool pool; } layers[] = {{32, 3, 32, true}, {16, 32, 64, true}, {8, 64, 64, true},
                                                   {4, 64, 128, false}, {4, 128, 128, false}};
  double tot[3] = {0, 0, 0};
  const char* only = std::getenv("HARNESS_LAYER");  // e.g. 0: first layer only (for perf)
  for (int N : {32, 8}) {
    for (const L& l : layers) {
      if (only && &l - layers != std::atoi(only)) continue;
      ConvGeom g{nullptr, N, l.H, l.H, l.C, l.H, l.H, 3, 3, 1, 1, 1, 1, 1, 1};
      std::vector<float> x((size_t)N * l.H * l.H * l.C), w(9L * l.C * l.F), y((size_t)N * l.H * l.H * l.F),
          dx(x.size()), dw(w.size());
      for (size_t i = 0; i < x.size(); i++) x[i] = (float)((i * 2654435761u) % 1000) / 1000.f - 0.5f;
      for (size_t i = 0; i < w.size(); i++) w[i] = (float)((i * 40503u) % 1000) / 1000.f - 0.5f;
      for (size_t i = 0; i < y.size(); i++) y[i] = (float)((i * 7919u) % 1000) / 1000.f - 0.5f;
      g.x = x.data();
      const double flops = 2.0 * N * l.H * l.H * 9.0 * l.C * l.F;
      std::printf("N=%d %dx%dx%d -> %d  (%.1f MFLOP)\n", N, l.H, l.H, l.C, l.F, flops * 1e-6);
      Epilogue ep; ep.bias = w.data(); ep.act = ACT_LEAKY; ep.alpha = 0.1f;
      timeit("fwd", flops, [&] { conv2d_forward(g, w.data(), l.F, y.data(), ep); });
      timeit("bp-input", flops, [&] { conv2d_backprop_input(g, y.data(), w.data(), l.F, dx.data()); });
      timeit("bp-filt", flops, [&] { conv2d_backprop_filter(g, y.data(), l.F, dw.data()); });
      if (l.pool) {
        PoolGeom pg{N, l.H, l.H, l.F, l.H / 2, l.H / 2, 2, 2, 2, 2, 0, 0};
        std::vector<float> py((size_t)N * l.H * l.H * l.F / 4), pdx(y.size());
        timeit("maxpool", 0, [&] { max_pool(pg, y.data(), py.data()); });
        timeit("mp-grad", 0, [&] { max_pool_grad(pg, py.data(), y.data(), pdx.data()); });
      }
    }
  }
  (void)tot;
  return 0;
}
