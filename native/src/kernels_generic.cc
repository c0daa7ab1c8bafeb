// Portable kernels: plain loops the compiler vectorizes for the baseline target (SSE2 on x86-64,
// NEON on arm64). Used when the CPU has neither AVX2+FMA nor AVX-512.
#include "kernels.h"

#define DIGITNET_ISA_NAMESPACE digitnet_generic
#include "kernels_body.h"

namespace digitnet_generic {

static const int kMr = 4;
static const int kNr = 16;

static void microkernel(int kc, const float* __restrict a, const float* __restrict b, float* __restrict c, long ldc,
                        const float* bias, int mode, int relu) {
  float acc[kMr][kNr];
  for (int r = 0; r < kMr; r++) {
    for (int j = 0; j < kNr; j++) {
      acc[r][j] = mode == digitnet::kAccumulate ? c[r * ldc + j] : mode == digitnet::kInitBias ? bias[j] : 0.0f;
    }
  }
  for (int p = 0; p < kc; p++) {
    const float* bRow = b + p * kNr;
    for (int r = 0; r < kMr; r++) {
      float ar = a[p * kMr + r];
      for (int j = 0; j < kNr; j++) acc[r][j] += ar * bRow[j];
    }
  }
  for (int r = 0; r < kMr; r++) {
    for (int j = 0; j < kNr; j++) {
      float value = acc[r][j];
      c[r * ldc + j] = relu && !(value > 0.0f) ? 0.0f : value;
    }
  }
}

static const digitnet::IsaKernels table = {
#if defined(__aarch64__)
    "neon",
#else
    "scalar",
#endif
    kMr, kNr, microkernel, DIGITNET_ELEMENTWISE_ENTRIES};

}  // namespace digitnet_generic

const digitnet::IsaKernels* digitnet::kernelsGeneric() { return &digitnet_generic::table; }
