{
  "targets": [
    {
      "target_name": "cvc_compute",
      "sources": [
        "native/addon.cc",
        "native/threadpool.cc",
        "native/gemm.cc",
        "native/gemm_avx512.cc",
        "native/gemm_avx2.cc",
        "native/gemm_generic.cc",
        "native/conv.cc",
        "native/pool.cc",
        "native/elementwise.cc",
        "native/norm.cc",
        "native/norm_avx512.cc",
        "native/layout.cc"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=fast", "-Wno-unused-parameter"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
