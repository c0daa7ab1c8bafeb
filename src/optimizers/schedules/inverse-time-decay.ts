import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { learningRateValue, nonNegativeNumber, steps } from './schedule-options.js';

export interface InverseTimeDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole periods of decaySteps (floor of step / decaySteps). */
  staircase?: boolean;
}

const schema = z.strictObject({
  initialLearningRate: learningRateValue,
  decaySteps: steps,
  decayRate: nonNegativeNumber,
  staircase: z.boolean('must be true or false').optional(),
});

/** Keras's InverseTimeDecay: initialLearningRate / (1 + decayRate · step / decaySteps). */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay';
  private readonly options: Required<InverseTimeDecayOptions>;

  constructor(options: InverseTimeDecayOptions) {
    super();
    const parsed = parseOptions(schema, options, 'inverseTimeDecay()');
    this.options = { ...parsed, staircase: parsed.staircase ?? false };
  }

  at(step: number): number {
    const { initialLearningRate, decaySteps, decayRate, staircase } = this.options;
    const progress = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
    return initialLearningRate / (1 + decayRate * progress);
  }

  getConfig(): ScheduleConfig {
    return { ...this.options };
  }
}

export function inverseTimeDecay(options: InverseTimeDecayOptions): InverseTimeDecay {
  return new InverseTimeDecay(options);
}
