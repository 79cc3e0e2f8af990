// Small persistent thread pool with a FIXED work partition: job(tid) is called once per
// thread; callers split work by tid only, so results never depend on thread timing.
#pragma once
#include <atomic>
#include <functional>
#include <memory>

namespace cvc {

int pool_threads();                                  // total threads incl. the caller
// Cumulative counters (profiling), thread CPU ns: the workers running jobs, the caller waiting for
// workers after finishing its own share, parallel runs, and runs that had to wake a sleeper.
// bg_ns: the part of worker_busy_ns spent in background tasks; caller_wait_ns includes the
// caller's waits for background tasks.
// caller_job_ns: time the calling thread spent in its own share of parallel loops (including
// chunks of background tasks it helped with while waiting for them).
struct PoolStats { unsigned long long worker_busy_ns, caller_wait_ns, runs, wakeups, bg_ns, caller_job_ns; };
PoolStats pool_stats();
void pool_run(const std::function<void(int tid, int nthreads)>& job);  // blocks until all done
// A computation whose result is not needed yet (e.g. a filter gradient, read only by the
// optimizer at the end of the step). The pool's first worker runs queued tasks in order whenever
// no parallel loop is open, with its parallel loops run serially; meanwhile the caller goes on
// with the next kernels (on its own when the worker is busy). wait() returns once it is done,
// running it on the caller (with the pool) if no worker has started it yet. The same chunking
// either way, so results do not depend on who ran it.
struct BackgroundTask {
  static constexpr int kQueued = 0, kRunning = 1, kDone = 2;
  std::atomic<int> state{kQueued};
  std::function<void()> fn;
  void run_here(bool background);  // runs fn unless another thread took it
  void wait();
  bool done() const { return state.load(std::memory_order_acquire) == kDone; }

  // The parallel loop the task is in while a worker runs it, open to a waiting thread: chunks
  // are taken from `next`, so a waiter can share the rest. loop_slot = (loop generation << 32) |
  // closed bit | helpers that joined; a helper joins by CAS while the loop is open, and the
  // running thread closes it and waits for those that joined (the protocol of the pool's jobs).
  static constexpr uint64_t kLoopClosed = 1ull << 31;
  std::atomic<uint64_t> loop_slot{kLoopClosed};
  std::atomic<int> loop_left{0};
  std::atomic<long> loop_next{0};
  long loop_n = 0;
  const std::function<void(long)>* loop_fn = nullptr;
  unsigned loop_gen = 0;
  bool help();  // join the open loop, if any; true if it ran chunks
};
// Queue fn (with one thread, or from inside a task: run it now). Whatever fn reads or writes
// must stay alive until wait() returned.
std::shared_ptr<BackgroundTask> run_in_background(std::function<void()> fn);
constexpr int kMaxChunks = 16;  // chunks per parallel loop (independent of thread count)

// Split [0, n) into `parts` contiguous ranges whose boundaries are multiples of `align`.
inline void split_range(long n, int parts, int part, long align, long* b, long* e) {
  long units = (n + align - 1) / align;
  long base = units / parts, rem = units % parts;
  long u0 = part * base + (part < rem ? part : rem);
  long u1 = u0 + base + (part < rem ? 1 : 0);
  *b = u0 * align < n ? u0 * align : n;
  *e = u1 * align < n ? u1 * align : n;
}

// Run fn(c) for c in [0, nchunks): threads take chunks from a shared counter, so a thread that
// is descheduled (shared machine) does not hold up the others. Deterministic as long as each
// chunk's output depends only on c (never on which thread ran it).
void parallel_chunks(long nchunks, const std::function<void(long)>& fn);

// Run fn(begin, end) over [0, n) in chunks of at least min_chunk (aligned to 16), dynamically
// scheduled; chunk boundaries depend only on n and min_chunk.
void parallel_for(long n, long min_chunk, const std::function<void(long, long)>& fn);

// Rows [0, n) in at most kMaxChunks chunks of >= min_rows, boundaries multiples of align.
inline long row_chunks(long n, long min_rows) {
  long c = min_rows > 0 ? n / min_rows : 1;
  return c < 1 ? 1 : (c > kMaxChunks ? kMaxChunks : c);
}

// Like row_chunks, but an even count when more than one, so two threads get equal shares (for
// loops whose chunks are independent: the chunking never changes the results).
inline long even_chunks(long n, long min_rows) {
  long c = row_chunks(n, min_rows);
  return c > 1 && (c & 1) ? c + 1 : c;
}

}  // namespace cvc
