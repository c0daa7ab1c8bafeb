// Elementwise kernels, compiled once per instruction set: each kernels_<isa>.cc sets the target
// and the namespace, then includes this file so the compiler vectorizes the same loops for it.
// Only C headers here: a C++ template instantiated under an AVX-512 target could be merged by the
// linker into code that runs on CPUs without it.
#include <math.h>
#include <stdint.h>

#include "random.h"

namespace DIGITNET_ISA_NAMESPACE {

static void packTransposedKernel(const float* __restrict source, long ld, int kc, int cols, float* __restrict out,
                                 int nr) {
  for (int c = 0; c < cols; c++) {
    const float* column = source + c * ld;
    for (int p = 0; p < kc; p++) out[p * nr + c] = column[p];
  }
  for (int p = 0; p < kc; p++)
    for (int c = cols; c < nr; c++) out[p * nr + c] = 0.0f;
}

template <int kRows>
static int nonzeroInRowsKernel(const float* __restrict a, long lda, int kc, int* __restrict out) {
  int count = 0;
  for (int p = 0; p < kc; p++) {
    bool any = false;
    for (int r = 0; r < kRows; r++) any |= a[r * lda + p] != 0.0f;
    if (any) out[count++] = p;
  }
  return count;
}

template <int kRows>
static int nonzeroInPanelKernel(const float* __restrict panel, int kc, int* __restrict out) {
  int count = 0;
  for (int p = 0; p < kc; p++) {
    bool any = false;
    for (int r = 0; r < kRows; r++) any |= panel[p * kRows + r] != 0.0f;
    if (any) out[count++] = p;
  }
  return count;
}

static void adamKernel(float* __restrict params, const float* __restrict grads, float* __restrict first,
                       float* __restrict second, long count, float stepSize, float oneMinusBeta1,
                       float oneMinusBeta2, float epsilon) {
  for (long i = 0; i < count; i++) {
    float g = grads[i];
    float m = first[i] + (g - first[i]) * oneMinusBeta1;
    float v = second[i] + (g * g - second[i]) * oneMinusBeta2;
    first[i] = m;
    second[i] = v;
    params[i] -= (stepSize * m) / (sqrtf(v) + epsilon);
  }
}

template <bool kAmsgrad>
static void adamwLoop(float* __restrict params, const float* __restrict grads, float* __restrict first,
                      float* __restrict second, float* __restrict maxSecond, long count, float stepSize,
                      float oneMinusBeta1, float oneMinusBeta2, float epsilon, float decay) {
  for (long i = 0; i < count; i++) {
    float w = params[i];
    w -= w * decay;
    float g = grads[i];
    float m = first[i] + (g - first[i]) * oneMinusBeta1;
    float v = second[i] + (g * g - second[i]) * oneMinusBeta2;
    first[i] = m;
    second[i] = v;
    if (kAmsgrad) {
      v = v > maxSecond[i] ? v : maxSecond[i];
      maxSecond[i] = v;
    }
    params[i] = w - (stepSize * m) / (sqrtf(v) + epsilon);
  }
}

static void adamwKernel(float* params, const float* grads, float* first, float* second, float* maxSecond, long count,
                        float stepSize, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float decay) {
  if (maxSecond) {
    adamwLoop<true>(params, grads, first, second, maxSecond, count, stepSize, oneMinusBeta1, oneMinusBeta2, epsilon, decay);
  } else {
    adamwLoop<false>(params, grads, first, second, nullptr, count, stepSize, oneMinusBeta1, oneMinusBeta2, epsilon, decay);
  }
}

static void rmspropKernel(float* __restrict params, const float* __restrict grads, float* __restrict meanSquare,
                          float* __restrict momentumBuffer, long count, float learningRate, float rho,
                          float oneMinusRho, float momentum, float epsilon) {
  if (momentum > 0) {
    for (long i = 0; i < count; i++) {
      float g = grads[i];
      float ms = rho * meanSquare[i] + oneMinusRho * g * g;
      meanSquare[i] = ms;
      float increment = (learningRate * g) / sqrtf(ms + epsilon);
      float velocity = momentum * momentumBuffer[i] + increment;
      momentumBuffer[i] = velocity;
      params[i] -= velocity;
    }
  } else {
    for (long i = 0; i < count; i++) {
      float g = grads[i];
      float ms = rho * meanSquare[i] + oneMinusRho * g * g;
      meanSquare[i] = ms;
      params[i] -= (learningRate * g) / sqrtf(ms + epsilon);
    }
  }
}

static void sgdKernel(float* __restrict params, const float* __restrict grads, float* __restrict velocity, long count,
                      float learningRate, float momentum, int nesterov) {
  if (momentum == 0) {
    for (long i = 0; i < count; i++) params[i] -= learningRate * grads[i];
  } else if (nesterov) {
    for (long i = 0; i < count; i++) {
      float g = grads[i];
      float v = momentum * velocity[i] - learningRate * g;
      velocity[i] = v;
      params[i] += momentum * v - learningRate * g;
    }
  } else {
    for (long i = 0; i < count; i++) {
      float v = momentum * velocity[i] - learningRate * grads[i];
      velocity[i] = v;
      params[i] += v;
    }
  }
}

// input and output may be the same array (no __restrict on them).
static void dropoutForwardKernel(const float* input, float* output, float* __restrict mask, long begin, long end,
                                 uint32_t seed, uint32_t threshold, float keptScale) {
  for (long i = begin; i < end; i++) {
    float factor = digitnet::dropoutBits(seed, static_cast<uint32_t>(i)) < threshold ? 0.0f : keptScale;
    mask[i] = factor;
    output[i] = input[i] * factor;
  }
}

static void multiplyKernel(float* __restrict values, const float* __restrict factors, long count) {
  for (long i = 0; i < count; i++) values[i] *= factors[i];
}

static void reluBackwardKernel(const float* __restrict output, float* __restrict grad, long count) {
  for (long i = 0; i < count; i++) grad[i] = output[i] <= 0.0f ? 0.0f : grad[i];
}

static void sigmoidBackwardKernel(const float* __restrict output, float* __restrict grad, long count) {
  for (long i = 0; i < count; i++) grad[i] *= output[i] * (1.0f - output[i]);
}

static void tanhBackwardKernel(const float* __restrict output, float* __restrict grad, long count) {
  for (long i = 0; i < count; i++) grad[i] *= 1.0f - output[i] * output[i];
}

static void sigmoidKernel(float* values, long rows, long cols, long stride) {
  for (long r = 0; r < rows; r++) {
    float* row = values + r * stride;
    for (long j = 0; j < cols; j++) row[j] = 1.0f / (1.0f + expf(-row[j]));
  }
}

static void tanhKernel(float* values, long rows, long cols, long stride) {
  for (long r = 0; r < rows; r++) {
    float* row = values + r * stride;
    for (long j = 0; j < cols; j++) row[j] = tanhf(row[j]);
  }
}

// The product is formed in double and rounded once, exactly as the reference engine does.
static void convertU8Kernel(const uint8_t* __restrict source, float* __restrict out, long count, double scale) {
  for (long i = 0; i < count; i++) out[i] = static_cast<float>(static_cast<double>(source[i]) * scale);
}

static void convertF32Kernel(const float* __restrict source, float* __restrict out, long count, double scale) {
  for (long i = 0; i < count; i++) out[i] = static_cast<float>(static_cast<double>(source[i]) * scale);
}

static void columnStatisticsKernel(const float* __restrict input, long rows, long features, long begin, long end,
                                   double* __restrict mean, double* __restrict variance) {
  for (long j = begin; j < end; j++) mean[j] = variance[j] = 0;
  for (long r = 0; r < rows; r++) {
    const float* row = input + r * features;
    for (long j = begin; j < end; j++) mean[j] += row[j];
  }
  for (long j = begin; j < end; j++) mean[j] /= static_cast<double>(rows);
  for (long r = 0; r < rows; r++) {
    const float* row = input + r * features;
    for (long j = begin; j < end; j++) {
      double centered = row[j] - mean[j];
      variance[j] += centered * centered;
    }
  }
  for (long j = begin; j < end; j++) variance[j] /= static_cast<double>(rows);
}

// input and output may be the same array.
static void columnAffineKernel(const float* input, float* output, long rows, long features, long begin, long end,
                               const double* __restrict factor, const double* __restrict offset) {
  for (long r = 0; r < rows; r++) {
    const float* row = input + r * features;
    float* out = output + r * features;
    for (long j = begin; j < end; j++) out[j] = static_cast<float>(row[j] * factor[j] + offset[j]);
  }
}

static void batchNormBackwardKernel(const float* __restrict input, const float* __restrict gradOutput, float* __restrict gradInput,
                                    long rows, long features, long begin, long end, const double* __restrict mean,
                                    const double* __restrict inverse, const double* __restrict scale, double* __restrict sumGrad,
                                    double* __restrict sumGradNormalized) {
  for (long j = begin; j < end; j++) sumGrad[j] = sumGradNormalized[j] = 0;
  for (long r = 0; r < rows; r++) {
    const float* row = input + r * features;
    const float* grad = gradOutput + r * features;
    for (long j = begin; j < end; j++) {
      double g = grad[j];
      sumGrad[j] += g;
      sumGradNormalized[j] += g * ((row[j] - mean[j]) * inverse[j]);
    }
  }
  if (!gradInput) return;
  const double n = static_cast<double>(rows);
  for (long r = 0; r < rows; r++) {
    const float* row = input + r * features;
    const float* grad = gradOutput + r * features;
    float* out = gradInput + r * features;
    for (long j = begin; j < end; j++) {
      double normalized = (row[j] - mean[j]) * inverse[j];
      out[j] = static_cast<float>(scale[j] * (n * grad[j] - sumGrad[j] - normalized * sumGradNormalized[j]));
    }
  }
}

#include "augment_body.h"
#include "activations_body.h"

}  // namespace DIGITNET_ISA_NAMESPACE

#ifndef DIGITNET_ADAM
#define DIGITNET_ADAM DIGITNET_ISA_NAMESPACE::adamKernel
#endif

#define DIGITNET_ELEMENTWISE_ENTRIES                                                                      \
  DIGITNET_ADAM, DIGITNET_ISA_NAMESPACE::rmspropKernel, DIGITNET_ISA_NAMESPACE::sgdKernel, \
      DIGITNET_ISA_NAMESPACE::adamwKernel, \
      DIGITNET_ISA_NAMESPACE::dropoutForwardKernel, DIGITNET_ISA_NAMESPACE::multiplyKernel,                  \
      DIGITNET_ISA_NAMESPACE::reluBackwardKernel, DIGITNET_ISA_NAMESPACE::sigmoidBackwardKernel,             \
      DIGITNET_ISA_NAMESPACE::tanhBackwardKernel, DIGITNET_ISA_NAMESPACE::sigmoidKernel,                     \
      DIGITNET_ISA_NAMESPACE::tanhKernel, DIGITNET_ISA_NAMESPACE::convertU8Kernel,                           \
      DIGITNET_ISA_NAMESPACE::convertF32Kernel, DIGITNET_ISA_NAMESPACE::augmentImagesKernel, \
      DIGITNET_ISA_NAMESPACE::extraActivationKernel, DIGITNET_ISA_NAMESPACE::extraActivationBackwardKernel, \
      DIGITNET_ISA_NAMESPACE::columnStatisticsKernel, DIGITNET_ISA_NAMESPACE::columnAffineKernel, \
      DIGITNET_ISA_NAMESPACE::batchNormBackwardKernel
