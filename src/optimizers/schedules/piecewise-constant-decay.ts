import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { learningRateValue, nonNegativeNumber } from './schedule-options.js';

export interface PiecewiseConstantDecayOptions {
  /** Increasing steps where the rate changes. */
  boundaries: number[];
  /** One more rate than boundaries: values[0] up to boundaries[0], …, the last after the last boundary. */
  values: number[];
}

const schema = z.strictObject({
  boundaries: z.array(nonNegativeNumber, 'must be an array of steps').min(1, 'must list at least one step'),
  values: z.array(learningRateValue, 'must be an array of learning rates'),
});

/** Keras's PiecewiseConstantDecay: values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i]. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  private readonly boundaries: readonly number[];
  private readonly values: readonly number[];

  constructor(options: PiecewiseConstantDecayOptions) {
    super();
    const parsed = parseOptions(schema, options, 'piecewiseConstantDecay()');
    if (parsed.values.length !== parsed.boundaries.length + 1) {
      throw new Error(`piecewiseConstantDecay(): values must hold one more rate than boundaries (${parsed.boundaries.length + 1}); got ${parsed.values.length}.`);
    }
    const unordered = parsed.boundaries.findIndex((boundary, index) => index > 0 && boundary <= parsed.boundaries[index - 1]!);
    if (unordered >= 0) {
      throw new Error(`piecewiseConstantDecay(): boundaries must increase; got ${parsed.boundaries[unordered]} after ${parsed.boundaries[unordered - 1]}.`);
    }
    this.boundaries = parsed.boundaries;
    this.values = parsed.values;
  }

  at(step: number): number {
    let index = 0;
    while (index < this.boundaries.length && step > this.boundaries[index]!) index++;
    return this.values[index]!;
  }

  getConfig(): ScheduleConfig {
    return { boundaries: [...this.boundaries], values: [...this.values] };
  }
}

export function piecewiseConstantDecay(options: PiecewiseConstantDecayOptions): PiecewiseConstantDecay {
  return new PiecewiseConstantDecay(options);
}
