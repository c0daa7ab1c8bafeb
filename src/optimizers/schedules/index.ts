import { CosineDecay, type CosineDecayOptions } from './cosine-decay.js';
import { CosineDecayRestarts, type CosineDecayRestartsOptions } from './cosine-decay-restarts.js';
import { ExponentialDecay, type ExponentialDecayOptions } from './exponential-decay.js';
import { InverseTimeDecay, type InverseTimeDecayOptions } from './inverse-time-decay.js';
import type { LearningRateSchedule, SerializedSchedule } from './learning-rate-schedule.js';
import { PiecewiseConstantDecay, type PiecewiseConstantDecayOptions } from './piecewise-constant-decay.js';
import { PolynomialDecay, type PolynomialDecayOptions } from './polynomial-decay.js';

export const SCHEDULE_CLASS_NAMES = ['ExponentialDecay', 'PiecewiseConstantDecay', 'InverseTimeDecay', 'PolynomialDecay', 'CosineDecay', 'CosineDecayRestarts'] as const;

/** A schedule from its saved form; each class checks its config strictly. */
export function deserializeSchedule(serialized: SerializedSchedule): LearningRateSchedule {
  const config = serialized.config as unknown;
  switch (serialized.className) {
    case 'ExponentialDecay':
      return new ExponentialDecay(config as ExponentialDecayOptions);
    case 'PiecewiseConstantDecay':
      return new PiecewiseConstantDecay(config as PiecewiseConstantDecayOptions);
    case 'InverseTimeDecay':
      return new InverseTimeDecay(config as InverseTimeDecayOptions);
    case 'PolynomialDecay':
      return new PolynomialDecay(config as PolynomialDecayOptions);
    case 'CosineDecay':
      return new CosineDecay(config as CosineDecayOptions);
    case 'CosineDecayRestarts':
      return new CosineDecayRestarts(config as CosineDecayRestartsOptions);
    default:
      throw new Error(`Unknown learning-rate schedule "${serialized.className}": allowed are ${SCHEDULE_CLASS_NAMES.join(', ')}.`);
  }
}

export { CosineDecay, cosineDecay, type CosineDecayOptions } from './cosine-decay.js';
export { CosineDecayRestarts, cosineDecayRestarts, type CosineDecayRestartsOptions } from './cosine-decay-restarts.js';
export { ExponentialDecay, exponentialDecay, type ExponentialDecayOptions } from './exponential-decay.js';
export { InverseTimeDecay, inverseTimeDecay, type InverseTimeDecayOptions } from './inverse-time-decay.js';
export { LearningRateSchedule, type ScheduleConfig, type SerializedSchedule } from './learning-rate-schedule.js';
export { PiecewiseConstantDecay, piecewiseConstantDecay, type PiecewiseConstantDecayOptions } from './piecewise-constant-decay.js';
export { PolynomialDecay, polynomialDecay, type PolynomialDecayOptions } from './polynomial-decay.js';
