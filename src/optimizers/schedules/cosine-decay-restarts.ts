import { z } from 'zod';
import { parseOptions } from '../../validation.js';
import { LearningRateSchedule, type ScheduleConfig } from './learning-rate-schedule.js';
import { fraction, learningRateValue, steps } from './schedule-options.js';

export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  firstDecaySteps: number;
  /** Each period is tMul times longer than the last (Keras's t_mul, default 2). */
  tMul?: number;
  /** Each restart starts from mMul times the last one's rate (Keras's m_mul, default 1). */
  mMul?: number;
  alpha?: number;
}

const positive = z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number');

const schema = z.strictObject({
  initialLearningRate: learningRateValue,
  firstDecaySteps: steps,
  tMul: positive.optional(),
  mMul: positive.optional(),
  alpha: fraction.optional(),
});

/** Keras's CosineDecayRestarts (SGDR, Loshchilov & Hutter 2017): cosine periods, each tMul times longer, restarting at mMul times the rate. */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly className = 'CosineDecayRestarts';
  private readonly options: Required<CosineDecayRestartsOptions>;

  constructor(options: CosineDecayRestartsOptions) {
    super();
    const parsed = parseOptions(schema, options, 'cosineDecayRestarts()');
    this.options = { ...parsed, tMul: parsed.tMul ?? 2, mMul: parsed.mMul ?? 1, alpha: parsed.alpha ?? 0 };
  }

  at(step: number): number {
    const { initialLearningRate, firstDecaySteps, tMul, mMul, alpha } = this.options;
    let completed = step / firstDecaySteps;
    let restart: number;
    if (tMul === 1) {
      restart = Math.floor(completed);
      completed -= restart;
    } else {
      // Periods 1, tMul, tMul², …: which one step falls in, and how far into it.
      restart = Math.floor(Math.log(1 - completed * (1 - tMul)) / Math.log(tMul));
      const before = (1 - Math.pow(tMul, restart)) / (1 - tMul);
      completed = (completed - before) / Math.pow(tMul, restart);
    }
    const cosine = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * completed));
    return initialLearningRate * ((1 - alpha) * cosine + alpha);
  }

  getConfig(): ScheduleConfig {
    return { ...this.options };
  }
}

export function cosineDecayRestarts(options: CosineDecayRestartsOptions): CosineDecayRestarts {
  return new CosineDecayRestarts(options);
}
