// AVX2 + FMA kernels (Haswell and later, Zen): a 6×16 microtile in twelve ymm accumulators.
#include "kernels.h"

#if defined(DIGITNET_X86)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma")
#endif

#include <immintrin.h>

#define DIGITNET_AUGMENT_AVX2 1
#define DIGITNET_ISA_NAMESPACE digitnet_avx2
#include "kernels_body.h"

namespace digitnet_avx2 {

static const int kMr = 6;
static const int kNr = 16;

template <bool kRowA>
static void microkernel(int kc, const int* offsets, const float* __restrict a, long lda, const float* __restrict b,
                        float* __restrict c, long ldc, const float* bias, int mode, int relu) {
  __m256 acc[kMr][2];
  if (mode == digitnet::kAccumulate) {
    for (int r = 0; r < kMr; r++) {
      acc[r][0] = _mm256_loadu_ps(c + r * ldc);
      acc[r][1] = _mm256_loadu_ps(c + r * ldc + 8);
    }
  } else if (mode == digitnet::kInitBias) {
    __m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
    for (int r = 0; r < kMr; r++) {
      acc[r][0] = b0;
      acc[r][1] = b1;
    }
  } else {
    for (int r = 0; r < kMr; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  }
  for (int step = 0; step < kc; step++) {
    const int p = offsets ? offsets[step] : step;
    __m256 b0 = _mm256_load_ps(b + p * kNr), b1 = _mm256_load_ps(b + p * kNr + 8);
    for (int r = 0; r < kMr; r++) {
      __m256 ar = _mm256_broadcast_ss(kRowA ? a + r * lda + p : a + p * lda + r);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
  if (relu) {
    __m256 zero = _mm256_setzero_ps();
    for (int r = 0; r < kMr; r++) {
      acc[r][0] = _mm256_max_ps(zero, acc[r][0]);  // NaN and -0 pass, as in the reference
      acc[r][1] = _mm256_max_ps(zero, acc[r][1]);
    }
  }
  for (int r = 0; r < kMr; r++) {
    _mm256_storeu_ps(c + r * ldc, acc[r][0]);
    _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
  }
}

static const digitnet::IsaKernels table = {"avx2", kMr, kNr, kNr, 0, microkernel<true>, microkernel<false>,
                                           microkernel<true>, microkernel<false>, packTransposedKernel,
                                           nonzeroInRowsKernel<kMr>, nonzeroInPanelKernel<kMr>,
                                           nullptr, nullptr, nullptr, nullptr, nullptr, DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_avx2

const digitnet::IsaKernels* digitnet::kernelsAvx2() { return &digitnet_avx2::table; }

#if defined(__clang__)
#pragma clang attribute pop
#endif

#endif  // DIGITNET_X86
