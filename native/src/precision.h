// Matrix products below fp32: bf16 inputs with fp32 accumulation (mixed-precision training) and
// int8 inference with per-channel weight scales. Each product has a plain reference beside it
// (precision.cc) that the SIMD kernels are tested against (test/engine/precision.test.ts).
#ifndef DIGITNET_PRECISION_H
#define DIGITNET_PRECISION_H

#include <stdint.h>

#include "gemm.h"
#include "kernels.h"
#include "thread_pool.h"

namespace digitnet {

// ---- bf16 --------------------------------------------------------------------------------------

// x rounded to the nearest bfloat16 (ties to even), returned as the float it equals: the top 16
// bits of x's rounded pattern. NaN stays NaN (quiet); infinities and zeros are kept.
float roundToBfloat16(float x);
uint16_t bfloat16Bits(float x);

// Whether the CPU has AVX512_BF16 (vdpbf16ps) and this build has the kernel for it.
bool bfloat16Native();

// C = A·B as gemm() computes it, but with A and B rounded to bf16 first (ties to even) and every
// product accumulated in fp32, as vdpbf16ps does. With AVX512_BF16 the products run on it (pairs of
// bf16, `native`); elsewhere the rounded inputs go through the fp32 kernels, whose products of two
// bf16 values are exact: the same numbers up to the order of the fp32 sums. columnSums (a bias
// gradient) is summed from B as given, in fp32, in order of p.
void gemmBfloat16(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& problem, bool useNative);

// A copy of source[0..count) rounded to bf16, in one of two per-thread buffers (slot 0 or 1) that
// stay valid until the next call with the same slot.
const float* bfloat16Copy(ThreadPool* pool, int threads, const float* source, long count, int slot);

// ---- int8 --------------------------------------------------------------------------------------

// Activations are quantized per call (the whole batch, per tensor, asymmetric) to 0..127 and
// weights per output channel (symmetric) to -63..63: the AVX2 kernel adds two vpmaddubsw results
// in 16 bits (2 × 2 × 127 × 63 = 32004 < 32767, so nothing saturates) and VNNI sums in 32 bits;
// both give exactly the reference's integer sums.
const int kInt8ActivationMax = 127;
const int kInt8WeightMax = 63;
// Columns per packed panel and reduction steps per group (k is padded to a whole group with zeros).
const int kInt8PanelColumns = 16;
const int kInt8Group = 8;

inline int int8PaddedK(int k) { return (k + kInt8Group - 1) / kInt8Group * kInt8Group; }
inline long int8PackedBytes(int k, int n) {
  return static_cast<long>((n + kInt8PanelColumns - 1) / kInt8PanelColumns) * kInt8PanelColumns * int8PaddedK(k);
}
// Where weight (p, j) lives in a packed kernel: panels of 16 columns, and in each, per group of
// four p, 16 columns × 4 bytes (p consecutive), so that one 32-byte load holds 8 columns × 4 p.
inline long int8PackedIndex(int kPadded, int p, int j) {
  const long panel = j / kInt8PanelColumns, column = j % kInt8PanelColumns;
  return ((panel * (kPadded / 4) + p / 4) * kInt8PanelColumns + column) * 4 + p % 4;
}

// Quantizes kernel[k×n] (row-major) per column j: scale[j] = max_p |w| / 63 (1 for an all-zero
// column), packed[...] = round(w / scale[j]) ties to even, columnSums[j] = Σ_p of those integers.
void int8QuantizeKernel(const float* kernel, int k, int n, int8_t* packed, float* scales, int32_t* columnSums);

// C[m×k·k×n]: the integer sums Σ_p qa[i][p] · qw[p][j] of an activation block (rows of kPadded
// bytes, 0..127) against a packed kernel, for rows [0, rows) and columns of panel `panel`: out is
// a tile of rows × 16 int32 (row stride 16). The reduction runs over the groups of eight p listed in
// groups[0..groupCount) — the caller leaves out groups where every row is zero, whose products are
// zero; the reference ignores the list and sums everything, so tests check the skipping too.
typedef void (*Int8Microkernel)(int rows, int kPadded, const uint8_t* a, const int8_t* panel, int32_t* out, const int* groups,
                                int groupCount);

enum Int8Kernel { kInt8Auto = 0, kInt8Reference = 1, kInt8Avx2 = 2, kInt8Vnni = 3 };
// The kernel `requested` names if the CPU runs it (kInt8Auto: the fastest it runs), else null.
Int8Microkernel int8Microkernel(Int8Kernel requested);
// Rows per microtile of each kernel.
const int kInt8Rows = 4;

// out[m×n] = activation(dequantized(int8(input) · int8(kernel)) + bias): the input [m×k] (fp32) is
// quantized over the whole call (min and max of all m×k values), multiplied on `kernel`'s integers,
// and rescaled: out = sa·scale[j]·(Σ − za·columnSums[j]) + bias[j], ReLU fused when relu is set.
// Deterministic for any thread count (integer sums, rows split whole).
void int8DenseForward(ThreadPool* pool, int threads, Int8Microkernel kernel, const float* input, int m, int k,
                      const int8_t* packed, const float* scales, const int32_t* columnSums, int n, const float* bias,
                      int relu, float* out);

}  // namespace digitnet

#endif
