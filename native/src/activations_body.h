// The activations past relu/sigmoid/tanh/softmax (codes 5..13, as ACTIVATION_CODES in
// src/engine/engine.ts), included in each kernels_<isa>.cc namespace by kernels_body.h. Mirror of
// src/engine/activation-functions.ts: the same formulas (Keras 3's definitions), in float.

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): the reference uses the same, so both agree.
static inline float activationErf(float x) {
  const float sign = x < 0 ? -1.0f : 1.0f;
  const float a = x < 0 ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  const float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  return sign * (1.0f - poly * expf(-a * a));
}

static inline float activationSoftplus(float x) { return (x > 0 ? x : 0.0f) + log1pf(expf(-(x < 0 ? -x : x))); }

static const float kSeluAlpha = 1.67326324f, kSeluScale = 1.05070098f, kLeakySlope = 0.2f;

static void extraActivationKernel(int code, float* values, long count) {
  switch (code) {
    case 5:  // gelu, exact (Keras's approximate=False)
      for (long i = 0; i < count; i++) values[i] = 0.5f * values[i] * (1.0f + activationErf(values[i] * 0.70710678f));
      break;
    case 6:  // elu, alpha 1
      for (long i = 0; i < count; i++) values[i] = values[i] > 0 ? values[i] : expm1f(values[i]);
      break;
    case 7:  // selu
      for (long i = 0; i < count; i++) values[i] = kSeluScale * (values[i] > 0 ? values[i] : kSeluAlpha * expm1f(values[i]));
      break;
    case 8:  // leaky_relu, Keras 3's negative_slope 0.2
      for (long i = 0; i < count; i++) values[i] = values[i] > 0 ? values[i] : kLeakySlope * values[i];
      break;
    case 9:  // silu (swish)
      for (long i = 0; i < count; i++) values[i] = values[i] / (1.0f + expf(-values[i]));
      break;
    case 10:  // softplus
      for (long i = 0; i < count; i++) values[i] = activationSoftplus(values[i]);
      break;
    case 11:  // softsign
      for (long i = 0; i < count; i++) values[i] = values[i] / (1.0f + (values[i] < 0 ? -values[i] : values[i]));
      break;
    case 12: {  // hard_sigmoid, Keras 3's relu6(x + 3) / 6
      for (long i = 0; i < count; i++) {
        float v = values[i] / 6.0f + 0.5f;
        values[i] = v < 0 ? 0.0f : v > 1 ? 1.0f : v;
      }
      break;
    }
    case 13:  // mish
      for (long i = 0; i < count; i++) values[i] = values[i] * tanhf(activationSoftplus(values[i]));
      break;
    default:
      break;
  }
}

// grad[i] *= f'(x[i]); from the output where it determines the derivative, else from the input.
static void extraActivationBackwardKernel(int code, const float* output, const float* input, float* grad, long count) {
  switch (code) {
    case 5:
      for (long i = 0; i < count; i++) {
        const float x = input[i];
        const float cdf = 0.5f * (1.0f + activationErf(x * 0.70710678f));
        grad[i] *= cdf + x * 0.39894228f * expf(-0.5f * x * x);
      }
      break;
    case 6:
      for (long i = 0; i < count; i++) grad[i] *= output[i] > 0 ? 1.0f : output[i] + 1.0f;
      break;
    case 7:
      for (long i = 0; i < count; i++) grad[i] *= output[i] > 0 ? kSeluScale : output[i] + kSeluScale * kSeluAlpha;
      break;
    case 8:
      for (long i = 0; i < count; i++) grad[i] *= output[i] > 0 ? 1.0f : kLeakySlope;
      break;
    case 9:
      for (long i = 0; i < count; i++) {
        const float s = 1.0f / (1.0f + expf(-input[i]));
        grad[i] *= s * (1.0f + input[i] * (1.0f - s));
      }
      break;
    case 10:
      for (long i = 0; i < count; i++) grad[i] *= -expm1f(-output[i]);
      break;
    case 11:
      for (long i = 0; i < count; i++) {
        const float rest = 1.0f - (output[i] < 0 ? -output[i] : output[i]);
        grad[i] *= rest * rest;
      }
      break;
    case 12:
      for (long i = 0; i < count; i++) grad[i] *= output[i] > 0 && output[i] < 1 ? 1.0f / 6.0f : 0.0f;
      break;
    case 13:
      for (long i = 0; i < count; i++) {
        const float x = input[i];
        const float t = tanhf(activationSoftplus(x));
        const float s = 1.0f / (1.0f + expf(-x));
        grad[i] *= t + x * s * (1.0f - t * t);
      }
      break;
    default:
      break;
  }
}
