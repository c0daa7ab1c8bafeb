import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { learningRateValue, steps } from './schedule-options.js';

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole periods of decaySteps (floor of step / decaySteps). */
  staircase?: boolean;
}

const schema = z.strictObject({
  initialLearningRate: learningRateValue,
  decaySteps: steps,
  decayRate: z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number'),
  staircase: z.boolean('must be true or false').optional(),
});

/** Keras's ExponentialDecay: initialLearningRate · decayRate^(step / decaySteps). */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  private readonly options: Required<ExponentialDecayOptions>;

  constructor(options: ExponentialDecayOptions) {
    super();
    const parsed = parseOptions(schema, options, 'exponentialDecay()');
    this.options = { ...parsed, staircase: parsed.staircase ?? false };
  }

  at(step: number): number {
    const { initialLearningRate, decaySteps, decayRate, staircase } = this.options;
    const progress = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
    return initialLearningRate * Math.pow(decayRate, progress);
  }

  getConfig(): ScheduleConfig {
    return { ...this.options };
  }
}

export function exponentialDecay(options: ExponentialDecayOptions): ExponentialDecay {
  return new ExponentialDecay(options);
}
