// bf16 matrix products on AVX512_BF16: both inputs packed as pairs of bf16 (rounded to nearest
// even), each pair multiplied and added into fp32 by vdpbf16ps. A 6 × 32 microtile keeps twelve
// chains in flight. Used only when the CPU has the instructions (precision.cc asks); rows are split
// among threads whole, and each element is one chain over p in order, so the thread count does not
// change the result.
#include "precision.h"

#if defined(DIGITNET_X86)

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

namespace digitnet {

namespace {

const int kRows = 6;
const int kColumns = 32;

template <typename T>
struct Buffer {
  T* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { free(data); }
  T* get(size_t count) {
    if (count > capacity) {
      free(data);
      data = static_cast<T*>(aligned_alloc(64, (count * sizeof(T) + 63) / 64 * 64));
      if (!data) abort();
      capacity = count;
    }
    return data;
  }
};

thread_local Buffer<uint32_t> packedB;
thread_local Buffer<uint32_t> packedA;

// B(p, j) for p in pairs: out[(panel * pairs + q) * 32 + c] = bf16(B(2q, j)) | bf16(B(2q+1, j)) << 16.
void packB(const GemmProblem& P, int pairs, uint32_t* out) {
  const int panels = (P.n + kColumns - 1) / kColumns;
  for (int panel = 0; panel < panels; panel++) {
    for (int q = 0; q < pairs; q++) {
      uint32_t* row = out + (static_cast<long>(panel) * pairs + q) * kColumns;
      for (int c = 0; c < kColumns; c++) {
        const int j = panel * kColumns + c;
        uint32_t even = 0, odd = 0;
        if (j < P.n) {
          even = bfloat16Bits(P.b[static_cast<long>(2 * q) * P.bRow + static_cast<long>(j) * P.bCol]);
          if (2 * q + 1 < P.k) odd = bfloat16Bits(P.b[static_cast<long>(2 * q + 1) * P.bRow + static_cast<long>(j) * P.bCol]);
        }
        row[c] = even | (odd << 16);
      }
    }
  }
}

// Rows [i0, i0 + 6) of A as pairs: out[r * pairs + q]; rows past m are zero.
void packRows(const GemmProblem& P, int i0, int pairs, uint32_t* out) {
  for (int r = 0; r < kRows; r++) {
    const int i = i0 + r;
    for (int q = 0; q < pairs; q++) {
      uint32_t even = 0, odd = 0;
      if (i < P.m) {
        even = bfloat16Bits(P.a[static_cast<long>(i) * P.aRow + static_cast<long>(2 * q) * P.aCol]);
        if (2 * q + 1 < P.k) odd = bfloat16Bits(P.a[static_cast<long>(i) * P.aRow + static_cast<long>(2 * q + 1) * P.aCol]);
      }
      out[r * pairs + q] = even | (odd << 16);
    }
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) void microtile(int pairs, const uint32_t* a, const uint32_t* b,
                                                                             const GemmProblem& P, int i0, int j0) {
  __m512 acc[kRows][2];
  const int cols = std::min(kColumns, P.n - j0);
  const __mmask16 mask0 = cols >= 16 ? 0xffff : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 mask1 = cols >= 32 ? 0xffff : cols <= 16 ? 0 : static_cast<__mmask16>((1u << (cols - 16)) - 1);
  const __m512 bias0 = P.bias ? _mm512_maskz_loadu_ps(mask0, P.bias + j0) : _mm512_setzero_ps();
  const __m512 bias1 = P.bias ? _mm512_maskz_loadu_ps(mask1, P.bias + j0 + 16) : _mm512_setzero_ps();
  for (int r = 0; r < kRows; r++) {
    acc[r][0] = bias0;
    acc[r][1] = bias1;
  }
  for (int q = 0; q < pairs; q++) {
    const __m512bh b0 = (__m512bh)_mm512_load_si512(b + static_cast<long>(q) * kColumns);
    const __m512bh b1 = (__m512bh)_mm512_load_si512(b + static_cast<long>(q) * kColumns + 16);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; r++) {
      const __m512bh x = (__m512bh)_mm512_set1_epi32(static_cast<int>(a[r * pairs + q]));
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
    }
  }
  const int rows = std::min(kRows, P.m - i0);
  for (int r = 0; r < rows; r++) {
    __m512 v0 = acc[r][0], v1 = acc[r][1];
    if (P.relu) {
      v0 = _mm512_max_ps(_mm512_setzero_ps(), v0);
      v1 = _mm512_max_ps(_mm512_setzero_ps(), v1);
    }
    float* c = P.c + static_cast<long>(i0 + r) * P.ldc + j0;
    _mm512_mask_storeu_ps(c, mask0, v0);
    _mm512_mask_storeu_ps(c + 16, mask1, v1);
  }
}

struct Job {
  const GemmProblem* problem;
  const uint32_t* b;
  int pairs;
  int panelsM;
};

void task(void* context, int index, int count) {
  const Job& job = *static_cast<const Job*>(context);
  const GemmProblem& P = *job.problem;
  uint32_t* a = packedA.get(static_cast<size_t>(kRows) * job.pairs + 16);
  const int first = job.panelsM * index / count, end = job.panelsM * (index + 1) / count;
  for (int panel = first; panel < end; panel++) {
    packRows(P, panel * kRows, job.pairs, a);
    for (int j0 = 0; j0 < P.n; j0 += kColumns) microtile(job.pairs, a, job.b + static_cast<long>(j0 / kColumns) * job.pairs * kColumns, P, panel * kRows, j0);
  }
}

}  // namespace

void gemmBfloat16Avx512(ThreadPool* pool, int threads, const GemmProblem& P) {
  const int pairs = (P.k + 1) / 2;
  const int panelsN = (P.n + kColumns - 1) / kColumns;
  uint32_t* b = packedB.get(static_cast<size_t>(panelsN) * pairs * kColumns + 16);
  packB(P, pairs, b);
  const int panelsM = (P.m + kRows - 1) / kRows;
  const double flops = 2.0 * P.m * P.n * P.k;
  const int count = flops < 4.0e5 ? 1 : std::min(threads, panelsM);
  Job job = {&P, b, pairs, panelsM};
  if (count <= 1) {
    task(&job, 0, 1);
  } else {
    pool->run(task, &job, count);
  }
}

}  // namespace digitnet

#endif
