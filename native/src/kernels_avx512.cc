// AVX-512 kernels (Skylake-SP and later, Zen 4): an 8×32 microtile in sixteen zmm accumulators,
// which divides the usual batch of 128 rows and layer widths of 128/256/512 exactly, and an
// 8×16 one for outputs of at most 16 columns (the 10 classes).
#include "kernels.h"

#ifndef DIGITNET_AVX512_MR
#define DIGITNET_AVX512_MR 8
#endif
#ifndef DIGITNET_AVX512_NV
#define DIGITNET_AVX512_NV 2
#endif

#if defined(DIGITNET_X86)

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

template <int kVectors, bool kRowA, bool kIndexed>
static inline __attribute__((always_inline)) void reduce(int kc, const int* __restrict offsets, const float* __restrict a,
                                                         long lda, const float* __restrict b, __m512 (&acc)[kMr][kVectors]) {
  const int kNr = 16 * kVectors;
  const float* rows[kMr];
  if (kRowA)
    for (int r = 0; r < kMr; r++) rows[r] = a + r * lda;
  for (int step = 0; step < kc; step++) {
    const int p = kIndexed ? offsets[step] : step;
    __m512 bv[kVectors];
    for (int v = 0; v < kVectors; v++) bv[v] = _mm512_load_ps(b + p * kNr + 16 * v);
    const float* column = a + p * lda;
    for (int r = 0; r < kMr; r++) {
      __m512 ar = _mm512_set1_ps(kRowA ? rows[r][p] : column[r]);
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
}

template <int kVectors, bool kRowA>
static void microkernel(int kc, const int* offsets, const float* __restrict a, long lda, const float* __restrict b,
                        float* __restrict c, long ldc, const float* bias, int mode, int relu) {
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
  if (offsets) {
    reduce<kVectors, kRowA, true>(kc, offsets, a, lda, b, acc);
  } else {
    reduce<kVectors, kRowA, false>(kc, offsets, a, lda, b, acc);
  }
  if (relu) {
    __m512 zero = _mm512_setzero_ps();
    for (int r = 0; r < kMr; r++)
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_max_ps(zero, acc[r][v]);  // NaN and -0 pass, as in the reference
  }
  for (int r = 0; r < kMr; r++)
    for (int v = 0; v < kVectors; v++) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
}

static inline int appendBits(unsigned mask, int base, int* __restrict out, int count) {
  while (mask) {
    out[count++] = base + __builtin_ctz(mask);
    mask &= mask - 1;
  }
  return count;
}

static int nonzeroInRows(const float* __restrict a, long lda, int kc, int* __restrict out) {
  const __m512 zero = _mm512_setzero_ps();
  int count = 0;
  for (int p = 0; p < kc; p += 16) {
    const __mmask16 valid = kc - p >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (kc - p)) - 1);
    __mmask16 any = 0;
    for (int r = 0; r < kMr; r++)
      any |= _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, a + r * lda + p), zero, _CMP_NEQ_UQ);
    count = appendBits(any, p, out, count);
  }
  return count;
}

static int nonzeroInPanel(const float* __restrict panel, int kc, int* __restrict out) {
  const __m512 zero = _mm512_setzero_ps();
  int count = 0;
  // Each 16-float load covers 16 / kMr reduction steps of the panel.
  const int stepsPerLoad = 16 / kMr;
  int p = 0;
  for (; p + stepsPerLoad <= kc; p += stepsPerLoad) {
    unsigned mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(panel + p * kMr), zero, _CMP_NEQ_UQ);
    for (int s = 0; s < stepsPerLoad; s++)
      if ((mask >> (s * kMr)) & ((1u << kMr) - 1)) out[count++] = p + s;
  }
  for (; p < kc; p++) {
    bool any = false;
    for (int r = 0; r < kMr; r++) any |= panel[p * kMr + r] != 0.0f;
    if (any) out[count++] = p;
  }
  return count;
}

// 16×16 blocks transposed in registers; the ragged remainder element by element.
static void packTransposed(const float* __restrict source, long ld, int kc, int cols, float* __restrict out, int nr) {
  int c0 = 0;
  for (; c0 + 16 <= cols; c0 += 16) {
    int p0 = 0;
    for (; p0 + 16 <= kc; p0 += 16) {
      __m512 r[16], t[16];
      for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(source + (c0 + i) * ld + p0);
      for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
      }
      for (int i = 0; i < 4; i++) {
        r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
      }
      // r[4g + j], 128-bit lane L, now holds rows 4g..4g+3 of column 4L + j.
      for (int j = 0; j < 4; j++) {
        __m512 even01 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
        __m512 odd01 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
        __m512 even23 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
        __m512 odd23 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
        _mm512_storeu_ps(out + (p0 + j) * nr + c0, _mm512_shuffle_f32x4(even01, even23, 0x88));
        _mm512_storeu_ps(out + (p0 + 8 + j) * nr + c0, _mm512_shuffle_f32x4(even01, even23, 0xDD));
        _mm512_storeu_ps(out + (p0 + 4 + j) * nr + c0, _mm512_shuffle_f32x4(odd01, odd23, 0x88));
        _mm512_storeu_ps(out + (p0 + 12 + j) * nr + c0, _mm512_shuffle_f32x4(odd01, odd23, 0xDD));
      }
    }
    for (int c = c0; c < c0 + 16; c++)
      for (int p = p0; p < kc; p++) out[p * nr + c] = source[c * ld + p];
  }
  for (int c = c0; c < cols; c++)
    for (int p = 0; p < kc; p++) out[p * nr + c] = source[c * ld + p];
  for (int p = 0; p < kc; p++)
    for (int c = cols; c < nr; c++) out[p * nr + c] = 0.0f;
}

static const digitnet::IsaKernels table = {
    "avx512", kMr, 16 * DIGITNET_AVX512_NV, 16,
    microkernel<DIGITNET_AVX512_NV, true>, microkernel<DIGITNET_AVX512_NV, false>,
    microkernel<1, true>, microkernel<1, false>, packTransposed, nonzeroInRows, nonzeroInPanel,
    DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_avx512

const digitnet::IsaKernels* digitnet::kernelsAvx512() { return &digitnet_avx512::table; }

#if defined(__clang__)
#pragma clang attribute pop
#endif

#endif  // DIGITNET_X86
