import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { fraction, learningRateValue, nonNegativeInteger, steps } from './schedule-options.js';

export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** The floor, as a fraction of the rate decayed from. */
  alpha?: number;
  /** With warmupSteps: the rate rises linearly from initialLearningRate to this, then decays from it. */
  warmupTarget?: number;
  warmupSteps?: number;
}

const schema = z.strictObject({
  initialLearningRate: z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number'),
  decaySteps: steps,
  alpha: fraction.optional(),
  warmupTarget: learningRateValue.optional(),
  warmupSteps: nonNegativeInteger.optional(),
});

/**
 * Keras's CosineDecay (Loshchilov & Hutter's SGDR without restarts), with its linear warmup:
 * during warmupSteps the rate goes from initialLearningRate to warmupTarget; then over decaySteps
 * it follows from · ((1 - alpha) · ½(1 + cos(π · t / decaySteps)) + alpha), and stays there.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  private readonly options: CosineDecayOptions & { alpha: number; warmupSteps: number };

  constructor(options: CosineDecayOptions) {
    super();
    const parsed = parseOptions(schema, options, 'cosineDecay()');
    if (parsed.warmupSteps && parsed.warmupTarget === undefined) {
      throw new Error(`cosineDecay(): warmupSteps ${parsed.warmupSteps} needs a warmupTarget, the rate to warm up to.`);
    }
    this.options = { ...parsed, alpha: parsed.alpha ?? 0, warmupSteps: parsed.warmupSteps ?? 0 };
  }

  at(step: number): number {
    const { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps } = this.options;
    const decayed = (from: number, t: number): number => from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * (t / decaySteps))) + alpha);
    if (warmupTarget === undefined) return decayed(initialLearningRate, Math.min(step, decaySteps));
    const t = Math.min(step, decaySteps + warmupSteps);
    if (t < warmupSteps) return (warmupTarget - initialLearningRate) * (t / warmupSteps) + initialLearningRate;
    return decayed(warmupTarget, t - warmupSteps);
  }

  getConfig(): ScheduleConfig {
    const config: ScheduleConfig = { initialLearningRate: this.options.initialLearningRate, decaySteps: this.options.decaySteps, alpha: this.options.alpha };
    if (this.options.warmupTarget !== undefined) config.warmupTarget = this.options.warmupTarget;
    config.warmupSteps = this.options.warmupSteps;
    return config;
  }
}

export function cosineDecay(options: CosineDecayOptions): CosineDecay {
  return new CosineDecay(options);
}
