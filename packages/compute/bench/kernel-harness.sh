#!/bin/sh
# Builds and runs bench/kernel-harness.cc against the addon's C++ sources (no Node needed).
# Usage (from packages/compute): CVC_THREADS=1 bash bench/kernel-harness.sh
set -e
cd "$(dirname "$0")/.."
out=${TMPDIR:-/tmp}/cvc-kernel-harness
g++ -O3 -std=c++17 -fno-math-errno -fno-trapping-math -ffp-contract=fast -pthread -o "$out" \
  bench/kernel-harness.cc native/conv.cc native/gemm.cc native/gemm_avx512.cc native/gemm_avx2.cc \
  native/gemm_generic.cc native/threadpool.cc native/pool.cc native/layout.cc
exec "$out"
