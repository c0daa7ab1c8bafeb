import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { learningRateValue, nonNegativeNumber, steps } from './schedule-options.js';

export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  /** Start again past decaySteps, over the next multiple of it. */
  cycle?: boolean;
}

const schema = z.strictObject({
  initialLearningRate: learningRateValue,
  decaySteps: steps,
  endLearningRate: nonNegativeNumber.optional(),
  power: z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number').optional(),
  cycle: z.boolean('must be true or false').optional(),
});

/**
 * Keras's PolynomialDecay: (initial - end) · (1 - step / decaySteps)^power + end, with step held
 * at decaySteps (or, with cycle, decaySteps stretched to the next multiple past step). Keras's
 * defaults: endLearningRate 0.0001, power 1.
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay';
  private readonly options: Required<PolynomialDecayOptions>;

  constructor(options: PolynomialDecayOptions) {
    super();
    const parsed = parseOptions(schema, options, 'polynomialDecay()');
    this.options = { ...parsed, endLearningRate: parsed.endLearningRate ?? 0.0001, power: parsed.power ?? 1, cycle: parsed.cycle ?? false };
  }

  at(step: number): number {
    const { initialLearningRate, endLearningRate, power, cycle } = this.options;
    let decaySteps = this.options.decaySteps;
    if (cycle) decaySteps *= step === 0 ? 1 : Math.ceil(step / decaySteps);
    else step = Math.min(step, decaySteps);
    return (initialLearningRate - endLearningRate) * Math.pow(1 - step / decaySteps, power) + endLearningRate;
  }

  getConfig(): ScheduleConfig {
    return { ...this.options };
  }
}

export function polynomialDecay(options: PolynomialDecayOptions): PolynomialDecay {
  return new PolynomialDecay(options);
}
