// Portable kernels: plain loops the compiler vectorizes for the baseline target (SSE2 on x86-64,
// NEON on arm64). Used when the CPU has neither AVX2+FMA nor AVX-512.
#include "kernels.h"

#define DIGITNET_ISA_NAMESPACE digitnet_generic
#include "kernels_body.h"

namespace digitnet_generic {

static const int kMr = 4;
static const int kNr = 8;

// Four-float vectors (SSE2 on x86-64, NEON on arm64) through the compilers' vector extensions,
// which GCC and Clang map to registers directly where plain loops would not reliably vectorize.
typedef float Vector __attribute__((vector_size(16)));

static inline Vector load(const float* p) {
  Vector v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void store(float* p, Vector v) { __builtin_memcpy(p, &v, sizeof v); }

template <bool kRowA>
static void microkernel(int kc, const int* offsets, const float* __restrict a, long lda, const float* __restrict b,
                        float* __restrict c, long ldc, const float* bias, int mode, int relu) {
  Vector acc[kMr][2];
  for (int r = 0; r < kMr; r++) {
    for (int v = 0; v < 2; v++) {
      acc[r][v] = mode == digitnet::kAccumulate ? load(c + r * ldc + 4 * v)
                  : mode == digitnet::kInitBias ? load(bias + 4 * v)
                                                : Vector{0.0f, 0.0f, 0.0f, 0.0f};
    }
  }
  for (int step = 0; step < kc; step++) {
    const int p = offsets ? offsets[step] : step;
    const Vector b0 = load(b + p * kNr), b1 = load(b + p * kNr + 4);
    for (int r = 0; r < kMr; r++) {
      const float ar = kRowA ? a[r * lda + p] : a[p * lda + r];
      const Vector av = {ar, ar, ar, ar};
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
    }
  }
  for (int r = 0; r < kMr; r++) {
    for (int v = 0; v < 2; v++) {
      if (relu) {
        for (int lane = 0; lane < 4; lane++)
          if (acc[r][v][lane] < 0.0f) acc[r][v][lane] = 0.0f;
      }
      store(c + r * ldc + 4 * v, acc[r][v]);
    }
  }
}

static const digitnet::IsaKernels table = {
#if defined(__aarch64__)
    "neon",
#elif defined(__x86_64__)
    "sse2",
#else
    "scalar",
#endif
    kMr, kNr, kNr, 0, microkernel<true>, microkernel<false>, microkernel<true>, microkernel<false>, packTransposedKernel,
    nonzeroInRowsKernel<kMr>, nonzeroInPanelKernel<kMr>, nullptr, nullptr, nullptr, nullptr, nullptr,
    DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_generic

const digitnet::IsaKernels* digitnet::kernelsGeneric() { return &digitnet_generic::table; }
