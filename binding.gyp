{
  "targets": [
    {
      "target_name": "digitnet",
      "sources": [
        "native/src/addon.cc",
        "native/src/gemm.cc",
        "native/src/thread_pool.cc",
        "native/src/kernels_generic.cc",
        "native/src/kernels_avx2.cc",
        "native/src/kernels_avx512.cc",
        "native/src/precision.cc",
        "native/src/kernels_int8_avx2.cc",
        "native/src/kernels_int8_vnni.cc",
        "native/src/kernels_bf16.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-fno-math-errno"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno"],
      "cflags!": ["-O2", "-Os", "-O0"],
      "cflags_cc!": ["-O2", "-Os", "-O0", "-std=gnu++17", "-std=gnu++20", "-std=c++20"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-fno-math-errno"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] }
      }
    }
  ]
}
