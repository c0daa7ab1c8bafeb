// AVX-512 kernels (Skylake-SP and later, Zen 4): an 8×32 microtile in sixteen zmm accumulators,
// which divides the usual batch of 128 rows and layer widths of 128/256/512 exactly.
#include "kernels.h"

#ifndef DIGITNET_AVX512_MR
#define DIGITNET_AVX512_MR 8
#endif
#ifndef DIGITNET_AVX512_NV
#define DIGITNET_AVX512_NV 2
#endif

#if defined(__x86_64__)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,prefer-vector-width=512")
#endif

#include <immintrin.h>

#define DIGITNET_ISA_NAMESPACE digitnet_avx512
#include "kernels_body.h"

namespace digitnet_avx512 {

static const int kMr = DIGITNET_AVX512_MR;
static const int kVectors = DIGITNET_AVX512_NV;
static const int kNr = 16 * kVectors;

static void microkernel(int kc, const float* __restrict a, const float* __restrict b, float* __restrict c, long ldc,
                        const float* bias, int mode, int relu) {
  __m512 acc[kMr][kVectors];
  if (mode == digitnet::kAccumulate) {
    for (int r = 0; r < kMr; r++)
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_loadu_ps(c + r * ldc + 16 * v);
  } else if (mode == digitnet::kInitBias) {
    for (int v = 0; v < kVectors; v++) {
      __m512 value = _mm512_loadu_ps(bias + 16 * v);
      for (int r = 0; r < kMr; r++) acc[r][v] = value;
    }
  } else {
    for (int r = 0; r < kMr; r++)
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_setzero_ps();
  }
  for (int p = 0; p < kc; p++) {
    __m512 bv[kVectors];
    for (int v = 0; v < kVectors; v++) bv[v] = _mm512_load_ps(b + p * kNr + 16 * v);
    for (int r = 0; r < kMr; r++) {
      __m512 ar = _mm512_set1_ps(a[p * kMr + r]);
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
  if (relu) {
    __m512 zero = _mm512_setzero_ps();
    for (int r = 0; r < kMr; r++)
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_max_ps(acc[r][v], zero);
  }
  for (int r = 0; r < kMr; r++)
    for (int v = 0; v < kVectors; v++) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
}

static const digitnet::IsaKernels table = {"avx512", kMr, kNr, microkernel, DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_avx512

const digitnet::IsaKernels* digitnet::kernelsAvx512() { return &digitnet_avx512::table; }

#if defined(__clang__)
#pragma clang attribute pop
#endif

#endif  // __x86_64__
