#include "precision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

namespace digitnet {

#if defined(DIGITNET_X86)
// kernels_int8_avx2.cc, kernels_int8_vnni.cc and kernels_bf16.cc, each compiled for its own target.
void int8MicrokernelAvx2(int rows, int kPadded, const uint8_t* a, const int8_t* panel, int32_t* out, const int* groups, int groupCount);
void int8MicrokernelVnni(int rows, int kPadded, const uint8_t* a, const int8_t* panel, int32_t* out, const int* groups, int groupCount);
void gemmBfloat16Avx512(ThreadPool* pool, int threads, const GemmProblem& problem);
#endif

namespace {

// Grows only, so that after the first calls of a given size nothing is allocated.
template <typename T>
struct Buffer {
  T* data = nullptr;
  size_t capacity = 0;
  ~Buffer() { free(data); }
  T* get(size_t count) {
    if (count > capacity) {
      free(data);
      data = static_cast<T*>(aligned_alloc(64, (count * sizeof(T) + 63) / 64 * 64));
      if (!data) abort();  // out of memory for one copy of a matrix: nothing sane to do
      capacity = count;
    }
    return data;
  }
};

thread_local Buffer<float> roundedA;
thread_local Buffer<float> roundedB;
thread_local Buffer<uint8_t> quantizedRows;
thread_local Buffer<int> groupLists;

template <typename F>
void trampoline(void* context, int index, int count) {
  (*static_cast<F*>(context))(index, count);
}

template <typename F>
void runChunks(ThreadPool* pool, int chunks, F body) {
  if (chunks <= 1) {
    body(0, 1);
  } else {
    pool->run(trampoline<F>, &body, chunks);
  }
}

// The extent of a strided matrix's storage: the largest offset used, plus one.
long extent(int rows, long rowStride, int cols, long colStride) {
  if (rows <= 0 || cols <= 0) return 0;
  return (rows - 1) * rowStride + (cols - 1) * colStride + 1;
}

// Branch-free, so that the compiler vectorizes it (the rounding pass is the emulation's whole
// overhead): the same bits as roundToBfloat16.
void roundSpan(const float* source, float* out, long count) {
  const uint32_t* in = reinterpret_cast<const uint32_t*>(source);
  uint32_t* to = reinterpret_cast<uint32_t*>(out);
  for (long i = 0; i < count; i++) {
    const uint32_t bits = in[i];
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u;
    const uint32_t quiet = (bits | 0x00400000u) & 0xffff0000u;
    to[i] = (bits & 0x7fffffffu) > 0x7f800000u ? quiet : rounded;
  }
}

// Rounds count values in parallel (elementwise, so any split gives the same result).
void roundParallel(ThreadPool* pool, int threads, const float* source, float* out, long count) {
  const int chunks = count < (1L << 16) ? 1 : std::min<long>(threads, count >> 15);
  runChunks(pool, chunks, [&](int index, int parts) {
    const long begin = count * index / parts, end = count * (index + 1) / parts;
    roundSpan(source + begin, out + begin, end - begin);
  });
}

}  // namespace

uint16_t bfloat16Bits(float x) {
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x0040u);  // NaN, made quiet
  bits += 0x7fffu + ((bits >> 16) & 1u);  // ties to even; an overflow carries into infinity, as it should
  return static_cast<uint16_t>(bits >> 16);
}

float roundToBfloat16(float x) {
  const uint32_t bits = static_cast<uint32_t>(bfloat16Bits(x)) << 16;
  float rounded;
  memcpy(&rounded, &bits, sizeof rounded);
  return rounded;
}

bool bfloat16Native() {
#if defined(DIGITNET_X86)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

void gemmBfloat16(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& P, bool useNative) {
  if (P.columnSums) {
    // The bias gradient from B as given (fp32), each column summed in order of p as gemm() does.
    for (int j = 0; j < P.n; j++) P.columnSums[j] = 0.0f;
    for (int p = 0; p < P.k; p++)
      for (int j = 0; j < P.n; j++) P.columnSums[j] += P.b[p * P.bRow + j * P.bCol];
  }
  GemmProblem rounded = P;
  rounded.columnSums = nullptr;
#if defined(DIGITNET_X86)
  if (useNative && P.m > 0 && P.n > 0 && P.k > 0) {
    gemmBfloat16Avx512(pool, threads, rounded);
    return;
  }
#else
  (void)useNative;
#endif
  const long aCount = extent(P.m, P.aRow, P.k, P.aCol), bCount = extent(P.k, P.bRow, P.n, P.bCol);
  float* a = roundedA.get(static_cast<size_t>(aCount) + 1);
  float* b = roundedB.get(static_cast<size_t>(bCount) + 1);
  roundParallel(pool, threads, P.a, a, aCount);
  roundParallel(pool, threads, P.b, b, bCount);
  rounded.a = a;
  rounded.b = b;
  gemm(isa, pool, threads, rounded);
}

// ---- int8 --------------------------------------------------------------------------------------

void int8QuantizeKernel(const float* kernel, int k, int n, int8_t* packed, float* scales, int32_t* columnSums) {
  const int kPadded = int8PaddedK(k);
  memset(packed, 0, static_cast<size_t>(int8PackedBytes(k, n)));
  for (int j = 0; j < n; j++) {
    float largest = 0.0f;
    for (int p = 0; p < k; p++) largest = std::max(largest, fabsf(kernel[static_cast<long>(p) * n + j]));
    const float scale = largest > 0.0f && largest - largest == 0.0f ? largest / kInt8WeightMax : 1.0f;
    int32_t sum = 0;
    for (int p = 0; p < k; p++) {
      const float w = kernel[static_cast<long>(p) * n + j];
      float q = nearbyintf(w / scale);
      if (!(q >= -kInt8WeightMax)) q = -kInt8WeightMax;  // NaN goes to the lower limit, as the reference
      if (q > kInt8WeightMax) q = kInt8WeightMax;
      packed[int8PackedIndex(kPadded, p, j)] = static_cast<int8_t>(q);
      sum += static_cast<int32_t>(q);
    }
    scales[j] = scale;
    columnSums[j] = sum;
  }
}

namespace {

// The plain reference: one integer sum per element, reading the packed kernel through its index.
void int8MicrokernelReference(int rows, int kPadded, const uint8_t* a, const int8_t* panel, int32_t* out, const int*, int) {
  for (int r = 0; r < rows; r++) {
    for (int c = 0; c < kInt8PanelColumns; c++) {
      int32_t sum = 0;
      for (int p = 0; p < kPadded; p++) sum += static_cast<int32_t>(a[static_cast<long>(r) * kPadded + p]) * panel[int8PackedIndex(kPadded, p, c)];
      out[r * kInt8PanelColumns + c] = sum;
    }
  }
}

}  // namespace

Int8Microkernel int8Microkernel(Int8Kernel requested) {
#if defined(DIGITNET_X86)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                    __builtin_cpu_supports("avx512vnni");
  switch (requested) {
    case kInt8Auto: return vnni ? int8MicrokernelVnni : avx2 ? int8MicrokernelAvx2 : int8MicrokernelReference;
    case kInt8Reference: return int8MicrokernelReference;
    case kInt8Avx2: return avx2 ? int8MicrokernelAvx2 : nullptr;
    case kInt8Vnni: return vnni ? int8MicrokernelVnni : nullptr;
  }
  return nullptr;
#else
  return requested == kInt8Auto || requested == kInt8Reference ? int8MicrokernelReference : nullptr;
#endif
}

void int8DenseForward(ThreadPool* pool, int threads, Int8Microkernel kernel, const float* input, int m, int k,
                      const int8_t* packed, const float* scales, const int32_t* columnSums, int n, const float* bias,
                      int relu, float* out) {
  if (m <= 0 || n <= 0) return;
  const int kPadded = int8PaddedK(k);
  const int panelsM = (m + kInt8Rows - 1) / kInt8Rows;
  const double work = static_cast<double>(m) * k * n;
  const int chunks = work < 2.0e6 ? 1 : std::min(threads, panelsM);

  // The range of the whole call, widened to hold 0 so that zero (ReLU's and MNIST's) is exact.
  float lows[256], highs[256];
  const long count = static_cast<long>(m) * k;
  runChunks(pool, chunks, [&](int index, int parts) {
    const long begin = count * index / parts, end = count * (index + 1) / parts;
    float low = 0.0f, high = 0.0f;
    for (long i = begin; i < end; i++) {
      low = std::min(low, input[i]);
      high = std::max(high, input[i]);
    }
    lows[index] = low;
    highs[index] = high;
  });
  float low = 0.0f, high = 0.0f;
  for (int c = 0; c < chunks; c++) {
    low = std::min(low, lows[c]);
    high = std::max(high, highs[c]);
  }
  float scale = (high - low) / kInt8ActivationMax;
  if (!(scale > 0.0f) || scale - scale != 0.0f) scale = 1.0f;
  const float inverse = 1.0f / scale;
  const int zero = static_cast<int>(std::min<float>(kInt8ActivationMax, std::max(0.0f, nearbyintf(-low * inverse))));

  // Rows padded to a whole microtile with zeros, and each row to kPadded.
  uint8_t* rows = quantizedRows.get(static_cast<size_t>(panelsM) * kInt8Rows * kPadded);
  runChunks(pool, chunks, [&](int index, int parts) {
    const int r0 = panelsM * index / parts * kInt8Rows, r1 = panelsM * (index + 1) / parts * kInt8Rows;
    for (int r = r0; r < r1; r++) {
      uint8_t* row = rows + static_cast<long>(r) * kPadded;
      if (r >= m) {
        memset(row, 0, kPadded);
        continue;
      }
      const float* x = input + static_cast<long>(r) * k;
      // Adding and subtracting 1.5 × 2^23 rounds to an integer, ties to even, in plain float
      // operations that vectorize (nearbyintf does not, on baseline x86-64); src/precision/int8.ts
      // computes the same. Clamping to ±256 first keeps the trick exact; NaN ends at 0.
      const float rounder = 12582912.0f, zeroPoint = static_cast<float>(zero);
      for (int p = 0; p < k; p++) {
        float v = x[p] * inverse;
        v = v > -256.0f ? (v < 256.0f ? v : 256.0f) : -256.0f;
        float q = (v + rounder) - rounder + zeroPoint;
        q = q > 0.0f ? (q < kInt8ActivationMax ? q : static_cast<float>(kInt8ActivationMax)) : 0.0f;
        row[p] = static_cast<uint8_t>(q);
      }
      memset(row + k, 0, kPadded - k);
    }
  });

  const int panelsN = (n + kInt8PanelColumns - 1) / kInt8PanelColumns;
  runChunks(pool, chunks, [&](int index, int parts) {
    const int first = panelsM * index / parts, end = panelsM * (index + 1) / parts;
    alignas(64) int32_t tile[kInt8Rows * kInt8PanelColumns];
    int* groups = groupLists.get(static_cast<size_t>(kPadded / kInt8Group) + 1);
    for (int panelM = first; panelM < end; panelM++) {
      const int i0 = panelM * kInt8Rows;
      const int tileRows = std::min(kInt8Rows, m - i0);
      const uint8_t* a = rows + static_cast<long>(i0) * kPadded;
      // The groups of eight p where some row is not zero (MNIST's borders are zero in every image).
      int groupCount = 0;
      for (int g = 0; g < kPadded / kInt8Group; g++) {
        uint64_t any = 0;
        for (int r = 0; r < kInt8Rows; r++) {
          uint64_t word;
          memcpy(&word, a + static_cast<long>(r) * kPadded + g * kInt8Group, sizeof word);
          any |= word;
        }
        if (any) groups[groupCount++] = g;
      }
      for (int panelN = 0; panelN < panelsN; panelN++) {
        const int j0 = panelN * kInt8PanelColumns;
        const int cols = std::min(kInt8PanelColumns, n - j0);
        kernel(kInt8Rows, kPadded, a, packed + static_cast<long>(panelN) * kInt8PanelColumns * kPadded, tile, groups, groupCount);
        for (int r = 0; r < tileRows; r++) {
          float* o = out + static_cast<long>(i0 + r) * n + j0;
          for (int c = 0; c < cols; c++) {
            const int32_t sum = tile[r * kInt8PanelColumns + c] - zero * columnSums[j0 + c];
            float value = static_cast<float>(sum) * (scale * scales[j0 + c]);
            if (bias) value += bias[j0 + c];
            o[c] = relu && value < 0.0f ? 0.0f : value;
          }
        }
      }
    }
  });
}

}  // namespace digitnet
