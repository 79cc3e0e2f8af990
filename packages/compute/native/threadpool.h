// Small persistent thread pool with a FIXED work partition: job(tid) is called once per
// thread; callers split work by tid only, so results never depend on thread timing.
#pragma once
#include <functional>

namespace cvc {

int pool_threads();                                  // total threads incl. the caller
void pool_run(const std::function<void(int tid, int nthreads)>& job);  // blocks until all done

// Split [0, n) into `parts` contiguous ranges whose boundaries are multiples of `align`.
inline void split_range(long n, int parts, int part, long align, long* b, long* e) {
  long units = (n + align - 1) / align;
  long base = units / parts, rem = units % parts;
  long u0 = part * base + (part < rem ? part : rem);
  long u1 = u0 + base + (part < rem ? 1 : 0);
  *b = u0 * align < n ? u0 * align : n;
  *e = u1 * align < n ? u1 * align : n;
}

// Run fn(begin, end) over [0, n) split across the pool when n*cost is large enough.
void parallel_for(long n, long min_per_thread, const std::function<void(long, long)>& fn);

}  // namespace cvc
