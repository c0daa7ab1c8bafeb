/**
 * The activations past relu, sigmoid, tanh and softmax, with Keras 3's definitions and defaults:
 * the reference of native/src/activations_body.h (same formulas; there in float, here in double
 * rounded to float on store). Each has its derivative, written from the output where that
 * determines it and otherwise from the input (the pre-activation): gelu, silu and mish.
 */
export const EXTRA_ACTIVATION_NAMES = ['gelu', 'elu', 'selu', 'leaky_relu', 'silu', 'softplus', 'softsign', 'hard_sigmoid', 'mish'] as const;

export type ExtraActivationName = (typeof EXTRA_ACTIVATION_NAMES)[number];

/** The activations whose derivative needs the input as well as the output. */
export const ACTIVATIONS_NEEDING_INPUT: ReadonlySet<string> = new Set(['gelu', 'silu', 'mish']);

const SELU_ALPHA = 1.67326324;
const SELU_SCALE = 1.05070098;
const LEAKY_SLOPE = 0.2;

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), as the native kernel computes it. */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function extraActivation(name: ExtraActivationName, x: number): number {
  switch (name) {
    case 'gelu':
      return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
    case 'elu':
      return x > 0 ? x : Math.expm1(x);
    case 'selu':
      return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'leaky_relu':
      return x > 0 ? x : LEAKY_SLOPE * x;
    case 'silu':
      return x * sigmoid(x);
    case 'softplus':
      return softplus(x);
    case 'softsign':
      return x / (1 + Math.abs(x));
    case 'hard_sigmoid':
      return Math.min(1, Math.max(0, x / 6 + 0.5));
    case 'mish':
      return x * Math.tanh(softplus(x));
  }
}

/** f'(x), given the output y = f(x) and the input x. */
export function extraActivationDerivative(name: ExtraActivationName, y: number, x: number): number {
  switch (name) {
    case 'gelu':
      return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * 0.3989422804014327 * Math.exp(-0.5 * x * x);
    case 'elu':
      return y > 0 ? 1 : y + 1;
    case 'selu':
      return y > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case 'leaky_relu':
      return y > 0 ? 1 : LEAKY_SLOPE;
    case 'silu': {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case 'softplus':
      return -Math.expm1(-y);
    case 'softsign':
      return (1 - Math.abs(y)) ** 2;
    case 'hard_sigmoid':
      return y > 0 && y < 1 ? 1 / 6 : 0;
    case 'mish': {
      const t = Math.tanh(softplus(x));
      return t + x * sigmoid(x) * (1 - t * t);
    }
  }
}
