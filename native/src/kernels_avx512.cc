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

#define DIGITNET_AUGMENT_AVX2 1
#define DIGITNET_ISA_NAMESPACE digitnet_avx512
#include "kernels_body.h"

namespace digitnet_avx512 {

static const int kMr = DIGITNET_AVX512_MR;
#ifndef DIGITNET_SPARSE_R4
#define DIGITNET_SPARSE_R4 4
#endif
#ifndef DIGITNET_SPARSE_R8
#define DIGITNET_SPARSE_R8 2
#endif

template <int kVectors, bool kRowA, bool kIndexed>
static inline __attribute__((always_inline)) void reduce(int kc, const int* __restrict offsets, const float* __restrict a,
                                                         long lda, const float* __restrict b, __m512 (&acc)[kMr][kVectors]) {
  const int kNr = 16 * kVectors;
  const float* rows[kMr];
  if (kRowA) {
#pragma GCC unroll 16
    for (int r = 0; r < kMr; r++) rows[r] = a + r * lda;
  }
  for (int step = 0; step < kc; step++) {
    const int p = kIndexed ? offsets[step] : step;
    __m512 bv[kVectors];
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; v++) bv[v] = _mm512_load_ps(b + p * kNr + 16 * v);
    const float* column = a + p * lda;
#pragma GCC unroll 16
    for (int r = 0; r < kMr; r++) {
      __m512 ar = _mm512_set1_ps(kRowA ? rows[r][p] : column[r]);
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
}

// One whole microtile per variant, so the accumulators stay in registers from start to end: with
// the two reductions sharing one array of accumulators, the compiler kept it on the (unaligned)
// stack, whose stores and reloads cost as much as a short reduction.
template <int kVectors, bool kRowA, bool kIndexed>
static inline __attribute__((always_inline)) void tile(int kc, const int* __restrict offsets, const float* __restrict a,
                                                       long lda, const float* __restrict b, float* __restrict c, long ldc,
                                                       const float* bias, int mode, int relu) {
  // A tile narrower than nr (the right edge) comes with its width in mode's high bits: C and the
  // bias are then read and written under masks, so the edge needs no detour through a buffer.
  const int cols = mode >> digitnet::kColumnsShift;
  mode &= (1 << digitnet::kColumnsShift) - 1;
  __mmask16 masks[kVectors];
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; v++) {
    const int left = cols == 0 ? 16 : cols - 16 * v;
    masks[v] = left >= 16 ? static_cast<__mmask16>(0xffff) : left <= 0 ? 0 : static_cast<__mmask16>((1u << left) - 1);
  }
  __m512 acc[kMr][kVectors];
  if (mode == digitnet::kAccumulate) {
#pragma GCC unroll 16
    for (int r = 0; r < kMr; r++)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_maskz_loadu_ps(masks[v], c + r * ldc + 16 * v);
  } else if (mode == digitnet::kInitBias) {
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; v++) {
      __m512 value = _mm512_maskz_loadu_ps(masks[v], bias + 16 * v);
#pragma GCC unroll 16
      for (int r = 0; r < kMr; r++) acc[r][v] = value;
    }
  } else {
#pragma GCC unroll 16
    for (int r = 0; r < kMr; r++)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_setzero_ps();
  }
  reduce<kVectors, kRowA, kIndexed>(kc, offsets, a, lda, b, acc);
  if (relu) {
    __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int r = 0; r < kMr; r++)
#pragma GCC unroll 16
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_max_ps(zero, acc[r][v]);  // NaN and -0 pass, as in the reference
  }
#pragma GCC unroll 16
  for (int r = 0; r < kMr; r++)
#pragma GCC unroll 16
    for (int v = 0; v < kVectors; v++) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, masks[v], acc[r][v]);
}

template <int kVectors, bool kRowA>
static void microkernel(int kc, const int* offsets, const float* __restrict a, long lda, const float* __restrict b,
                        float* __restrict c, long ldc, const float* bias, int mode, int relu) {
  if (offsets) {
    tile<kVectors, kRowA, true>(kc, offsets, a, lda, b, c, ldc, bias, mode, relu);
  } else {
    tile<kVectors, kRowA, false>(kc, offsets, a, lda, b, c, ldc, bias, mode, relu);
  }
}

// The steps are compressed out of a vector of positions rather than looped over bit by bit: on
// dense inputs (ReLU outputs) nearly every bit is set and that loop cost as much as the product.
// out needs room for kc + 16 values.
static int nonzeroInRows(const float* __restrict a, long lda, int kc, int* __restrict out) {
  const __m512 zero = _mm512_setzero_ps();
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int count = 0;
  for (int p = 0; p < kc; p += 16) {
    const __mmask16 valid = kc - p >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (kc - p)) - 1);
    __mmask16 any = 0;
    for (int r = 0; r < kMr; r++)
      any |= _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, a + r * lda + p), zero, _CMP_NEQ_UQ);
    _mm512_storeu_si512(out + count, _mm512_maskz_compress_epi32(any, positions));
    count += __builtin_popcount(any);
    positions = _mm512_add_epi32(positions, _mm512_set1_epi32(16));
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

static int listNonzero(const float* __restrict a, int count, int* __restrict indices, float* __restrict values,
                       uint16_t* __restrict seen) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512i step = _mm512_set1_epi32(16);
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int found = 0;
  for (int p = 0; p < count; p += 16) {
    const __mmask16 valid =
        count - p >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (count - p)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(valid, a + p);
    const __mmask16 nonzero = _mm512_mask_cmp_ps_mask(valid, v, zero, _CMP_NEQ_UQ);
    // Images have long runs of zeros (their borders): those vectors cost only the test.
    if (nonzero) {
      // Compressing in registers and storing whole vectors beats a compressing store to memory.
      _mm512_storeu_si512(indices + found, _mm512_maskz_compress_epi32(nonzero, positions));
      _mm512_storeu_ps(values + found, _mm512_maskz_compress_ps(nonzero, v));
      found += __builtin_popcount(nonzero);
      if (seen) seen[p / 16] |= nonzero;
    }
    positions = _mm512_add_epi32(positions, step);
  }
  return found;
}

static int listNonzeroBytes(const uint8_t* __restrict a, int count, int* __restrict indices) {
  const __m512i step = _mm512_set1_epi32(16);
  __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int found = 0;
  for (int p = 0; p < count; p += 16) {
    const __mmask16 valid =
        count - p >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (count - p)) - 1);
    const __m128i bytes = _mm_maskz_loadu_epi8(valid, a + p);
    const __mmask16 nonzero = _mm_test_epi8_mask(bytes, bytes);
    if (nonzero) {
      _mm512_storeu_si512(indices + found, _mm512_maskz_compress_epi32(nonzero, positions));
      found += __builtin_popcount(nonzero);
    }
    positions = _mm512_add_epi32(positions, step);
  }
  return found;
}

// kRows rows × kVectors vectors of accumulators; the rows' lists run side by side for as long as
// the shortest, which gives small widths independent chains to overlap, then each finishes alone.
template <int kVectors, int kRows>
static inline __attribute__((always_inline)) void sparseGroup(const int* __restrict begins, const int* __restrict ends,
                                                              const int* __restrict indices,
                                                              const float* __restrict values, const float* __restrict b,
                                                              long ldb, float* __restrict out, long ldo,
                                                              const float* __restrict bias, int mode, int relu,
                                                              __mmask16 last) {
  __m512 acc[kRows][kVectors];
  for (int v = 0; v < kVectors; v++) {
    const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xffff);
    if (mode == digitnet::kAccumulate) {
      for (int r = 0; r < kRows; r++) acc[r][v] = _mm512_maskz_loadu_ps(mask, out + r * ldo + 16 * v);
    } else {
      const __m512 init = mode == digitnet::kInitBias ? _mm512_maskz_loadu_ps(mask, bias + 16 * v) : _mm512_setzero_ps();
      for (int r = 0; r < kRows; r++) acc[r][v] = init;
    }
  }
  int common = ends[0] - begins[0];
  for (int r = 1; r < kRows; r++) common = common < ends[r] - begins[r] ? common : ends[r] - begins[r];
  for (int s = 0; s < common; s++) {
    for (int r = 0; r < kRows; r++) {
      const int t = begins[r] + s;
      const float* __restrict row = b + static_cast<long>(indices[t]) * ldb;
      const __m512 x = _mm512_set1_ps(values[t]);
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(x, _mm512_load_ps(row + 16 * v), acc[r][v]);
    }
  }
  // Unrolled over r, so the accumulators stay in registers.
#pragma GCC unroll 4
  for (int r = 0; r < kRows; r++) {
    for (int t = begins[r] + common; t < ends[r]; t++) {
      const float* __restrict row = b + static_cast<long>(indices[t]) * ldb;
      const __m512 x = _mm512_set1_ps(values[t]);
      for (int v = 0; v < kVectors; v++) acc[r][v] = _mm512_fmadd_ps(x, _mm512_load_ps(row + 16 * v), acc[r][v]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
  for (int r = 0; r < kRows; r++) {
    for (int v = 0; v < kVectors; v++) {
      const __mmask16 mask = v == kVectors - 1 ? last : static_cast<__mmask16>(0xffff);
      const __m512 value = relu ? _mm512_maskz_max_ps(static_cast<__mmask16>(0xffff), zero, acc[r][v]) : acc[r][v];  // NaN and -0 pass, as in the reference
      _mm512_mask_storeu_ps(out + r * ldo + 16 * v, mask, value);
    }
  }
}

// Narrow blocks take several rows at once (enough independent chains to keep the FMA units busy);
// wide ones one row, whose 9–16 accumulators already do.
template <int kVectors>
static void sparseBlock(int rows, const int* begins, const int* ends, const int* indices, const float* values,
                        const float* b, long ldb, float* out, long ldo, const float* bias, int mode, int relu,
                        __mmask16 last) {
  const int kRows = kVectors <= 4 ? DIGITNET_SPARSE_R4 : kVectors <= 8 ? DIGITNET_SPARSE_R8 : 1;
  int r = 0;
  for (; r + kRows <= rows; r += kRows)
    sparseGroup<kVectors, kRows>(begins + r, ends + r, indices, values, b, ldb, out + r * ldo, ldo, bias, mode, relu, last);
  for (; r < rows; r++)
    sparseGroup<kVectors, 1>(begins + r, ends + r, indices, values, b, ldb, out + r * ldo, ldo, bias, mode, relu, last);
}

// b's rows are read as whole aligned vectors (the padding past cols included), so ldb must be a
// multiple of 16 and b 64-byte aligned.
static void sparseRows(int rows, const int* begins, const int* ends, const int* indices, const float* values,
                       const float* b, long ldb, int cols, float* out, long ldo, const float* bias, int mode, int relu) {
  // Blocks of 256 columns outside the rows, so a block of b stays in cache while every row uses it.
  for (int c0 = 0; c0 < cols; c0 += 256) {
    const int width = cols - c0 < 256 ? cols - c0 : 256;
    const int vectors = (width + 15) / 16;
    const int tail = width - 16 * (vectors - 1);
    const __mmask16 last = tail == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << tail) - 1);
    const float* bb = b + c0;
    float* o = out + c0;
    const float* bi = bias ? bias + c0 : nullptr;
    switch (vectors) {
#define DIGITNET_SPARSE_CASE(V) \
  case V:                       \
    sparseBlock<V>(rows, begins, ends, indices, values, bb, ldb, o, ldo, bi, mode, relu, last); \
    break;
      DIGITNET_SPARSE_CASE(1) DIGITNET_SPARSE_CASE(2) DIGITNET_SPARSE_CASE(3) DIGITNET_SPARSE_CASE(4)
      DIGITNET_SPARSE_CASE(5) DIGITNET_SPARSE_CASE(6) DIGITNET_SPARSE_CASE(7) DIGITNET_SPARSE_CASE(8)
      DIGITNET_SPARSE_CASE(9) DIGITNET_SPARSE_CASE(10) DIGITNET_SPARSE_CASE(11) DIGITNET_SPARSE_CASE(12)
      DIGITNET_SPARSE_CASE(13) DIGITNET_SPARSE_CASE(14) DIGITNET_SPARSE_CASE(15) DIGITNET_SPARSE_CASE(16)
#undef DIGITNET_SPARSE_CASE
      default:
        break;
    }
  }
}

// Rows [r0, r1) of one block: accumulated in `buffer` (rows of whole, aligned vectors: rows of out
// of, say, 50 floats straddle cache lines, which doubles the cost of every update), then copied.
template <int kVectors>
static inline __attribute__((always_inline)) void scatterTile(int samples, const float* __restrict x, long ldx, int r0,
                                                              int r1, const float* __restrict g, long ldg,
                                                              float* __restrict out, long ldo, __mmask16 last,
                                                              float* __restrict buffer, int* __restrict indices,
                                                              float* __restrict values) {
  const int kWidth = 16 * kVectors;
  const __m512 zero = _mm512_setzero_ps();
  for (int r = 0; r < r1 - r0; r++)
    for (int v = 0; v < kVectors; v++) _mm512_store_ps(buffer + r * kWidth + 16 * v, zero);
  float* __restrict base = buffer - static_cast<long>(r0) * kWidth;
  for (int s = 0; s < samples; s++) {
    __m512 gv[kVectors];
    for (int v = 0; v < kVectors; v++)
      gv[v] = _mm512_maskz_loadu_ps(v == kVectors - 1 ? last : static_cast<__mmask16>(0xffff), g + s * ldg + 16 * v);
    // The sample's nonzeros in the tile are listed first (compressed in registers, as listNonzero
    // does): a loop over each vector's set bits would mispredict its exit once per 16 rows.
    const float* __restrict row = x + s * ldx;
    int found = 0;
    __m512i positions = _mm512_add_epi32(_mm512_set1_epi32(r0), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    for (int p = r0; p < r1; p += 16) {
      const __mmask16 valid =
          r1 - p >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (r1 - p)) - 1);
      const __m512 v = _mm512_maskz_loadu_ps(valid, row + p);
      const __mmask16 nonzero = _mm512_mask_cmp_ps_mask(valid, v, zero, _CMP_NEQ_UQ);
      _mm512_storeu_si512(indices + found, _mm512_maskz_compress_epi32(nonzero, positions));
      _mm512_storeu_ps(values + found, _mm512_maskz_compress_ps(nonzero, v));
      found += __builtin_popcount(nonzero);
      positions = _mm512_add_epi32(positions, _mm512_set1_epi32(16));
    }
    for (int t = 0; t < found; t++) {
      const __m512 value = _mm512_set1_ps(values[t]);
      float* __restrict o = base + static_cast<long>(indices[t]) * kWidth;
      for (int v = 0; v < kVectors; v++)
        _mm512_store_ps(o + 16 * v, _mm512_fmadd_ps(value, gv[v], _mm512_load_ps(o + 16 * v)));
    }
  }
  for (int r = r0; r < r1; r++)
    for (int v = 0; v < kVectors; v++)
      _mm512_mask_storeu_ps(out + r * ldo + 16 * v, v == kVectors - 1 ? last : static_cast<__mmask16>(0xffff),
                            _mm512_load_ps(base + static_cast<long>(r) * kWidth + 16 * v));
}

// Columns [c0, c0 + 16·kVectors) of the scattered weight gradient (see kernels.h); last masks the
// final vector. Rows of out get one fused multiply-add per nonzero of x per vector, so the cost
// follows the nonzeros with no lists; g's row sits in registers for the whole sample.
template <int kVectors>
static void scatterBlock(int samples, const float* __restrict x, long ldx, int r0, int r1, const float* __restrict g,
                         long ldg, float* __restrict out, long ldo, __mmask16 last) {
  // Rows of out a block at a time, so that the block (about 24 KiB) stays in L1 while every sample
  // updates it: scattered updates that miss L1 stall on the store buffer.
  const int tileRows = 24576 / (64 * kVectors) / 16 * 16 + 16;
  alignas(64) float buffer[tileRows * 16 * kVectors];
  int indices[tileRows + 16];
  float values[tileRows + 16];
  for (int t0 = r0; t0 < r1; t0 += tileRows) {
    const int t1 = r1 - t0 < tileRows ? r1 : t0 + tileRows;
    scatterTile<kVectors>(samples, x, ldx, t0, t1, g, ldg, out, ldo, last, buffer, indices, values);
  }
}

static void scatterGradient(int samples, const float* x, long ldx, int r0, int r1, const float* g, long ldg, int cols,
                            float* out, long ldo) {
  // Blocks of up to 16 vectors, so g's row stays in registers.
  for (int c0 = 0; c0 < cols; c0 += 256) {
    const int width = cols - c0 < 256 ? cols - c0 : 256;
    const int vectors = (width + 15) / 16;
    const int tail = width - 16 * (vectors - 1);
    const __mmask16 last = tail == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << tail) - 1);
    switch (vectors) {
#define DIGITNET_SCATTER_CASE(V) \
  case V:                        \
    scatterBlock<V>(samples, x, ldx, r0, r1, g + c0, ldg, out + c0, ldo, last); \
    break;
      DIGITNET_SCATTER_CASE(1) DIGITNET_SCATTER_CASE(2) DIGITNET_SCATTER_CASE(3) DIGITNET_SCATTER_CASE(4)
      DIGITNET_SCATTER_CASE(5) DIGITNET_SCATTER_CASE(6) DIGITNET_SCATTER_CASE(7) DIGITNET_SCATTER_CASE(8)
      DIGITNET_SCATTER_CASE(9) DIGITNET_SCATTER_CASE(10) DIGITNET_SCATTER_CASE(11) DIGITNET_SCATTER_CASE(12)
      DIGITNET_SCATTER_CASE(13) DIGITNET_SCATTER_CASE(14) DIGITNET_SCATTER_CASE(15) DIGITNET_SCATTER_CASE(16)
#undef DIGITNET_SCATTER_CASE
      default:
        break;
    }
  }
}

// Columns [j0, j0 + kCols) of narrowGradient: blocks of 16·kVectors rows, kCols × kVectors accumulators.
template <int kCols, int kVectors>
static void narrowGradientPass(int samples, const float* __restrict x, long ldx, int r0, int r1,
                               const float* __restrict g, long ldg, float* __restrict out, long ldo) {
  const int kRows = 16 * kVectors;
  const __m512 zero = _mm512_setzero_ps();
  for (int b0 = r0; b0 < r1; b0 += kRows) {
    const int rows = r1 - b0 < kRows ? r1 - b0 : kRows;
    __mmask16 masks[kVectors];
    for (int v = 0; v < kVectors; v++) {
      const int left = rows - 16 * v;
      masks[v] = left >= 16 ? static_cast<__mmask16>(0xffff) : left <= 0 ? 0 : static_cast<__mmask16>((1u << left) - 1);
    }
    __m512 acc[kCols][kVectors];
    for (int j = 0; j < kCols; j++)
      for (int v = 0; v < kVectors; v++) acc[j][v] = zero;
    const float* __restrict column = x + b0;
    for (int s = 0; s < samples; s++) {
      __m512 xv[kVectors];
      __mmask16 any = 0;
      for (int v = 0; v < kVectors; v++) {
        xv[v] = _mm512_maskz_loadu_ps(masks[v], column + s * ldx + 16 * v);
        any |= _mm512_cmp_ps_mask(xv[v], zero, _CMP_NEQ_UQ);
      }
      // An all-zero block (an image's border, dead ReLUs) adds nothing.
      if (!any) continue;
      const float* __restrict gs = g + s * ldg;
      for (int j = 0; j < kCols; j++) {
        const __m512 gj = _mm512_set1_ps(gs[j]);
        for (int v = 0; v < kVectors; v++) acc[j][v] = _mm512_fmadd_ps(xv[v], gj, acc[j][v]);
      }
    }
    alignas(64) float tile[kCols][kRows];
    for (int j = 0; j < kCols; j++)
      for (int v = 0; v < kVectors; v++) _mm512_store_ps(tile[j] + 16 * v, acc[j][v]);
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < kCols; j++) out[(b0 + r) * ldo + j] = tile[j][r];
  }
}

static void narrowGradient(int samples, const float* x, long ldx, int r0, int r1, const float* g, long ldg, int cols,
                           float* out, long ldo) {
  // Passes of up to 12 columns over blocks of 32 rows: 24 accumulators. (Passes of 24 columns over
  // 16 rows, reading x half as often, measured twice as slow.)
  const int passes = (cols + 11) / 12;
  for (int pass = 0; pass < passes; pass++) {
    const int j0 = cols * pass / passes;
    const int width = cols * (pass + 1) / passes - j0;
    switch (width) {
#define DIGITNET_NARROW_CASE(J) \
  case J:                       \
    narrowGradientPass<J, 2>(samples, x, ldx, r0, r1, g + j0, ldg, out + j0, ldo); \
    break;
      DIGITNET_NARROW_CASE(1) DIGITNET_NARROW_CASE(2) DIGITNET_NARROW_CASE(3) DIGITNET_NARROW_CASE(4)
      DIGITNET_NARROW_CASE(5) DIGITNET_NARROW_CASE(6) DIGITNET_NARROW_CASE(7) DIGITNET_NARROW_CASE(8)
      DIGITNET_NARROW_CASE(9) DIGITNET_NARROW_CASE(10) DIGITNET_NARROW_CASE(11) DIGITNET_NARROW_CASE(12)
#undef DIGITNET_NARROW_CASE
      default:
        break;
    }
  }
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
    "avx512", kMr, 16 * DIGITNET_AVX512_NV, 16, 1,
    microkernel<DIGITNET_AVX512_NV, true>, microkernel<DIGITNET_AVX512_NV, false>,
    microkernel<1, true>, microkernel<1, false>, packTransposed, nonzeroInRows, nonzeroInPanel,
    listNonzero, sparseRows, scatterGradient, narrowGradient, listNonzeroBytes, DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_avx512

const digitnet::IsaKernels* digitnet::kernelsAvx512() { return &digitnet_avx512::table; }

#if defined(__clang__)
#pragma clang attribute pop
#endif

#endif  // DIGITNET_X86
