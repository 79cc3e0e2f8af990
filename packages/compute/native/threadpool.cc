#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <sched.h>
#include <time.h>
#include <vector>
#include <immintrin.h>

namespace cvc {

// Set while a thread runs a background task: its parallel loops then run serially (a task must
// not use the pool it is running on; the chunking, hence the result, is the same).
static thread_local bool t_background = false;
static thread_local BackgroundTask* t_task = nullptr;  // the task this worker runs

void BackgroundTask::run_here(bool background) {
  int expected = kQueued;
  if (!state.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel)) return;  // taken
  const bool was = t_background;
  BackgroundTask* const prev = t_task;
  t_background = background;
  t_task = background ? this : nullptr;
  fn();
  t_background = was;
  t_task = prev;
  fn = nullptr;  // drop captures now
  state.store(kDone, std::memory_order_release);
}

static std::atomic<unsigned long long> g_task_wait_ns{0}, g_task_help_ns{0};

// CPU time of the calling thread: the pool's counters are CPU time, so that a thread descheduled
// on a shared machine is not counted as working or waiting.
static unsigned long long thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool run_one_queued_task();  // the pool's, below

bool BackgroundTask::help() {
  uint64_t s = loop_slot.load(std::memory_order_acquire);
  while (!(s & kLoopClosed)) {
    if (loop_slot.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
      const std::function<void(long)>& f = *loop_fn;
      for (long c; (c = loop_next.fetch_add(1, std::memory_order_relaxed)) < loop_n;) f(c);
      loop_left.fetch_add(1, std::memory_order_acq_rel);
      return true;
    }
  }
  return false;
}

// A task's parallel loop on the worker: open it to a waiting thread (BackgroundTask::help).
static void task_chunks(BackgroundTask* t, long nchunks, const std::function<void(long)>& fn) {
  t->loop_fn = &fn;
  t->loop_n = nchunks;
  t->loop_next.store(0, std::memory_order_relaxed);
  t->loop_left.store(0, std::memory_order_relaxed);
  t->loop_slot.store((uint64_t)++t->loop_gen << 32, std::memory_order_release);
  for (long c; (c = t->loop_next.fetch_add(1, std::memory_order_relaxed)) < nchunks;) fn(c);
  const int joined = (int)(t->loop_slot.fetch_or(BackgroundTask::kLoopClosed, std::memory_order_acq_rel) &
                           (BackgroundTask::kLoopClosed - 1));
  for (int spins = 0; t->loop_left.load(std::memory_order_acquire) != joined; spins++) {
    if (spins < 2000) _mm_pause();
    else std::this_thread::yield();
  }
}

void BackgroundTask::wait() {
  run_here(false);  // still queued: run it on the caller, with the pool
  if (done()) return;
  // A worker is running it: meanwhile run other queued tasks here (their results are wanted
  // soon too), or share the chunks of its current parallel loop; else spin.
  while (!done() && run_one_queued_task()) {}
  if (done()) return;
  const auto w0 = thread_cpu_ns();
  unsigned long long helped = 0;
  for (int spins = 0; state.load(std::memory_order_acquire) != kDone; spins++) {
    const auto h0 = thread_cpu_ns();
    if (help()) { helped += thread_cpu_ns() - h0; spins = 0; continue; }
    if (spins < 2000) _mm_pause();
    else std::this_thread::yield();
  }
  g_task_wait_ns.fetch_add(thread_cpu_ns() - w0 - helped, std::memory_order_relaxed);
  g_task_help_ns.fetch_add(helped, std::memory_order_relaxed);
}

namespace {

struct Pool {
  int n = 1;
  std::vector<std::thread> workers;
  const std::function<void(int, int)>* job = nullptr;
  std::atomic<unsigned> gen{0};
  // The open job: (generation << 32) | closed bit | number of workers that joined it. A worker
  // joins with a CAS only while the job of the generation it saw is still open, so the caller
  // never waits for a worker that is busy elsewhere (a background task): it closes the job once
  // its own chunk loop ran dry and waits only for those that joined.
  static constexpr uint64_t kClosed = 1ull << 31;
  std::atomic<uint64_t> slot{0};
  std::atomic<int> left{0};
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<int> sleepers{0};
  std::atomic<unsigned long long> busy_ns{0}, wait_ns{0}, runs{0}, wakeups{0}, bg_ns{0}, caller_ns{0};
  // Background tasks (see threadpool.h): FIFO, run by worker 1 when no job is open.
  std::mutex bg_mu;
  std::deque<std::shared_ptr<BackgroundTask>> bg;
  std::atomic<int> bg_queued{0};

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

  bool has_work(unsigned seen, int tid) const {
    return gen.load(std::memory_order_acquire) != seen || (tid == 1 && bg_queued.load() > 0);
  }

  void loop(int tid) {
    unsigned seen = 0;
    for (;;) {
      // Spin briefly (a training step issues many short parallel calls), then sleep.
      auto t0 = std::chrono::steady_clock::now();
      int spins = 0;
      while (!has_work(seen, tid)) {
        // Pause-spin first; then keep polling but give the core away on every poll
        // (sched_yield), so an oversubscribed machine runs something else meanwhile.
        if (std::chrono::steady_clock::now() - t0 < spin) _mm_pause();
        else std::this_thread::yield();
        if (++spins % 64 == 0 &&
            std::chrono::steady_clock::now() - t0 > spin + yield_window) {
          std::unique_lock<std::mutex> lk(mu);
          sleepers++;
          cv.wait(lk, [&] { return has_work(seen, tid); });
          sleepers--;
          break;
        }
      }
      const unsigned g = gen.load(std::memory_order_acquire);
      if (g != seen) {
        seen = g;
        uint64_t s = slot.load(std::memory_order_acquire);
        bool joined = false;
        while ((s >> 32) == (uint64_t)g && !(s & kClosed)) {
          if (slot.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) { joined = true; break; }
        }
        if (!joined) continue;  // the caller already finished that job alone
        const auto j0 = thread_cpu_ns();
        (*job)(tid, n);
        busy_ns.fetch_add(thread_cpu_ns() - j0, std::memory_order_relaxed);
        left.fetch_add(1, std::memory_order_acq_rel);
        continue;
      }
      if (auto t = pop_task()) {
        const auto j0 = thread_cpu_ns();
        t->run_here(/*background=*/true);
        const auto ns = thread_cpu_ns() - j0;
        busy_ns.fetch_add(ns, std::memory_order_relaxed);
        bg_ns.fetch_add(ns, std::memory_order_relaxed);
      }
    }
  }

  void wake() {
    if (sleepers.load() > 0) {
      { std::lock_guard<std::mutex> lk(mu); }  // a worker between its predicate check and wait sees the change
      cv.notify_all();
      wakeups.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void run(const std::function<void(int, int)>& fn) {
    if (n == 1) { fn(0, 1); return; }
    job = &fn;
    left.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu);
      const unsigned g = gen.load(std::memory_order_relaxed) + 1;
      slot.store((uint64_t)g << 32, std::memory_order_release);
      gen.store(g, std::memory_order_release);
    }
    runs.fetch_add(1, std::memory_order_relaxed);
    if (sleepers.load() > 0) { cv.notify_all(); wakeups.fetch_add(1, std::memory_order_relaxed); }
    const auto c0 = thread_cpu_ns();
    fn(0, n);
    caller_ns.fetch_add(thread_cpu_ns() - c0, std::memory_order_relaxed);
    // Close the job; wait only for the workers that joined it: spin briefly, then yield the
    // core (it may be oversubscribed).
    const int joined = (int)(slot.fetch_or(kClosed, std::memory_order_acq_rel) & (kClosed - 1));
    if (left.load(std::memory_order_acquire) == joined) return;
    const auto w0 = thread_cpu_ns();
    for (int spins = 0; left.load(std::memory_order_acquire) != joined; spins++) {
      if (spins < 2000) _mm_pause();
      else std::this_thread::yield();
    }
    wait_ns.fetch_add(thread_cpu_ns() - w0, std::memory_order_relaxed);
  }

  std::shared_ptr<BackgroundTask> pop_task() {
    std::lock_guard<std::mutex> lk(bg_mu);
    if (bg.empty()) return nullptr;
    auto t = std::move(bg.front());
    bg.pop_front();
    bg_queued.fetch_sub(1, std::memory_order_acq_rel);
    return t;
  }

  void submit(std::shared_ptr<BackgroundTask> t) {
    {
      std::lock_guard<std::mutex> lk(bg_mu);
      bg.push_back(std::move(t));
      bg_queued.fetch_add(1);  // seq_cst: ordered before wake()'s read of sleepers
    }
    wake();
  }
};

Pool& pool() {
  static Pool* p = [] {
    // The cores this process may run on (its affinity mask), as Node's os.availableParallelism():
    // all of a workstation's, or fewer under taskset / a container's cpuset. CVC_THREADS overrides.
    cpu_set_t set;
    int t = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : (int)std::thread::hardware_concurrency();
    if (const char* e = std::getenv("CVC_THREADS")) t = std::atoi(e);
    if (t < 1) t = 1;
    if (t > 64) t = 64;
    return new Pool(t);
  }();
  return *p;
}

}  // namespace

int pool_threads() { return pool().n; }

static bool run_one_queued_task() {
  auto t = pool().pop_task();
  if (!t) return false;
  t->run_here(false);
  return true;
}
PoolStats pool_stats() {
  Pool& p = pool();
  return PoolStats{p.busy_ns.load(), p.wait_ns.load() + g_task_wait_ns.load(), p.runs.load(), p.wakeups.load(), p.bg_ns.load(),
                   p.caller_ns.load() + g_task_help_ns.load()};
}
void pool_run(const std::function<void(int, int)>& job) { pool().run(job); }

std::shared_ptr<BackgroundTask> run_in_background(std::function<void()> fn) {
  auto t = std::make_shared<BackgroundTask>();
  t->fn = std::move(fn);
  if (pool().n == 1 || t_background) { t->run_here(t_background); return t; }  // nobody else to run it
  pool().submit(t);
  return t;
}

void parallel_chunks(long nchunks, const std::function<void(long)>& fn) {
  if (nchunks <= 0) return;
  if (t_background && t_task && nchunks > 1) { task_chunks(t_task, nchunks, fn); return; }
  if (pool_threads() == 1 || nchunks == 1 || t_background) {
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
