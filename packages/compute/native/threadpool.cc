#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#include <immintrin.h>

namespace cvc {
namespace {

struct Pool {
  int n = 1;
  std::vector<std::thread> workers;
  const std::function<void(int, int)>* job = nullptr;
  std::atomic<unsigned> gen{0};
  std::atomic<int> pending{0};
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<int> sleepers{0};
  std::atomic<unsigned long long> busy_ns{0}, wait_ns{0}, runs{0}, wakeups{0};

  // How long an idle worker pause-spins (CVC_SPIN_US). Waking a sleeping worker costs
  // about as much as a small kernel, but on an oversubscribed machine a spinning worker steals
  // the core from the main thread: measured at load ~15, 200 µs made an epoch 1.7x slower and
  // 1 ms 3.8x slower than 50 µs. Far shorter than OpenMP's default spin.
  std::chrono::microseconds spin{50};
  // Then poll for this long with sched_yield (CVC_YIELD_US) before sleeping: on a quiet machine
  // yield returns at once, so the worker stays awake across the JS between a step's kernels;
  // when the machine is oversubscribed it hands the core to others. Measured at load ~15
  // (2 threads, profiled): 0 µs 7.99 / 5.65 s per epoch, 1000 µs 7.94 / 5.65 s, with wake-ups of
  // the filter-gradient kernel 404 / 117 -> 142 / 22.
  std::chrono::microseconds yield_window{1000};

  explicit Pool(int threads) : n(threads < 1 ? 1 : threads) {
    if (const char* e = std::getenv("CVC_SPIN_US")) spin = std::chrono::microseconds(std::atol(e));
    if (const char* e = std::getenv("CVC_YIELD_US")) yield_window = std::chrono::microseconds(std::atol(e));
    for (int i = 1; i < n; i++) workers.emplace_back([this, i] { loop(i); });
    for (auto& w : workers) w.detach();  // live for the process; never joined at exit
  }

  void loop(int tid) {
    unsigned seen = 0;
    for (;;) {
      // Spin briefly (a training step issues many short parallel calls), then sleep.
      auto t0 = std::chrono::steady_clock::now();
      int spins = 0;
      while (gen.load(std::memory_order_acquire) == seen) {
        // Pause-spin first; then keep polling but give the core away on every poll
        // (sched_yield), so an oversubscribed machine runs something else meanwhile.
        if (std::chrono::steady_clock::now() - t0 < spin) _mm_pause();
        else std::this_thread::yield();
        if (++spins % 64 == 0 &&
            std::chrono::steady_clock::now() - t0 > spin + yield_window) {
          std::unique_lock<std::mutex> lk(mu);
          sleepers++;
          cv.wait(lk, [&] { return gen.load(std::memory_order_acquire) != seen; });
          sleepers--;
          break;
        }
      }
      seen = gen.load(std::memory_order_acquire);
      const auto j0 = std::chrono::steady_clock::now();
      (*job)(tid, n);
      busy_ns.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - j0).count(),
                        std::memory_order_relaxed);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void run(const std::function<void(int, int)>& fn) {
    if (n == 1) { fn(0, 1); return; }
    job = &fn;
    pending.store(n - 1, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lk(mu);
      gen.fetch_add(1, std::memory_order_acq_rel);
    }
    runs.fetch_add(1, std::memory_order_relaxed);
    if (sleepers.load() > 0) { cv.notify_all(); wakeups.fetch_add(1, std::memory_order_relaxed); }
    fn(0, n);
    // Wait for the workers: spin briefly, then yield the core (it may be oversubscribed).
    if (pending.load(std::memory_order_acquire) == 0) return;
    const auto w0 = std::chrono::steady_clock::now();
    for (int spins = 0; pending.load(std::memory_order_acquire) != 0; spins++) {
      if (spins < 2000) _mm_pause();
      else std::this_thread::yield();
    }
    wait_ns.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - w0).count(),
                      std::memory_order_relaxed);
  }
};

Pool& pool() {
  static Pool* p = [] {
    int t = (int)std::thread::hardware_concurrency();
    if (const char* e = std::getenv("CVC_THREADS")) t = std::atoi(e);
    if (t < 1) t = 1;
    if (t > 64) t = 64;
    return new Pool(t);
  }();
  return *p;
}

}  // namespace

int pool_threads() { return pool().n; }
PoolStats pool_stats() {
  Pool& p = pool();
  return PoolStats{p.busy_ns.load(), p.wait_ns.load(), p.runs.load(), p.wakeups.load()};
}
void pool_run(const std::function<void(int, int)>& job) { pool().run(job); }

void parallel_chunks(long nchunks, const std::function<void(long)>& fn) {
  if (nchunks <= 0) return;
  if (pool_threads() == 1 || nchunks == 1) {
    for (long c = 0; c < nchunks; c++) fn(c);
    return;
  }
  std::atomic<long> next{0};
  pool_run([&](int, int) {
    for (long c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nchunks;) fn(c);
  });
}

void parallel_for(long n, long min_chunk, const std::function<void(long, long)>& fn) {
  if (n <= 0) return;
  long chunks = min_chunk > 0 ? n / min_chunk : n;
  if (chunks > kMaxChunks) chunks = kMaxChunks;
  if (pool_threads() == 1 || chunks < 2) { fn(0, n); return; }
  const long align = n / chunks >= 256 ? 16 : 1;  // keep vector-friendly boundaries when cheap
  parallel_chunks(chunks, [&](long c) {
    long b, e;
    split_range(n, (int)chunks, (int)c, align, &b, &e);
    if (b < e) fn(b, e);
  });
}

}  // namespace cvc
