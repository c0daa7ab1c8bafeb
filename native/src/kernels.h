// The per-instruction-set kernel table. Each kernels_<isa>.cc compiles the same elementwise
// code (kernels_body.h) plus its own GEMM microkernel for one instruction set; addon.cc picks
// a table at run time from what the CPU supports, so one build runs on any x86-64 (or arm64).
#ifndef DIGITNET_KERNELS_H
#define DIGITNET_KERNELS_H

#include <stdint.h>

namespace digitnet {

enum MicroMode { kInitZero = 0, kInitBias = 1, kAccumulate = 2 };

struct IsaKernels {
  const char* name;
  int mr;  // rows of a microtile
  int nr;  // columns of a microtile

  // C[mr×nr] (row stride ldc) = init + A·B over kc, where A is a packed micro-panel a[p*mr + r],
  // B a packed micro-panel b[p*nr + c]; init is zero, bias[0..nr) or C itself (mode). Every
  // element is one sequential chain of fused multiply-adds over p, so the result does not depend
  // on how tiles are shared among threads. relu != 0 clamps at zero when storing.
  void (*microkernel)(int kc, const float* a, const float* b, float* c, long ldc, const float* bias, int mode, int relu);

  void (*adam)(float* params, const float* grads, float* first, float* second, long count, float stepSize,
               float oneMinusBeta1, float oneMinusBeta2, float epsilon);
  void (*rmsprop)(float* params, const float* grads, float* meanSquare, float* momentumBuffer, long count,
                  float learningRate, float rho, float oneMinusRho, float momentum, float epsilon);
  void (*sgd)(float* params, const float* grads, float* velocity, long count, float learningRate, float momentum,
              int nesterov);
  // Elements [begin, end) of inverted dropout; indices are global so any split gives the same mask.
  void (*dropoutForward)(float* values, float* mask, long begin, long end, uint32_t seed, uint32_t threshold,
                         float keptScale);
  void (*multiply)(float* values, const float* factors, long count);
  void (*reluBackward)(const float* output, float* grad, long count);
  void (*sigmoidBackward)(const float* output, float* grad, long count);
  void (*tanhBackward)(const float* output, float* grad, long count);
  void (*sigmoid)(float* values, long rows, long cols, long stride);
  void (*tanh)(float* values, long rows, long cols, long stride);
  void (*convertU8)(const uint8_t* source, float* out, long count, double scale);
  void (*convertF32)(const float* source, float* out, long count, double scale);
};

const IsaKernels* kernelsGeneric();
#if defined(__x86_64__)
const IsaKernels* kernelsAvx2();
const IsaKernels* kernelsAvx512();
#endif

}  // namespace digitnet

#endif
