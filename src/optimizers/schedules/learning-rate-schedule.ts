import { describeCall, inspectCustom } from '../../describe.js';

/** A schedule's config as saved: numbers, flags and lists of numbers (piecewiseConstantDecay's boundaries). */
export type ScheduleConfig = Record<string, number | boolean | number[]>;

/** A schedule as it is saved inside an optimizer's config: Keras's class name and its config. */
export interface SerializedSchedule {
  className: string;
  config: ScheduleConfig;
}

/**
 * A learning rate that depends on the optimizer's step, as Keras's LearningRateSchedule: passed as
 * an optimizer's learningRate, it is asked for the rate before each update, with the number of
 * updates already applied (0 for the first).
 */
export abstract class LearningRateSchedule {
  /** Keras's class name, e.g. "CosineDecay", under which the config is saved. */
  abstract readonly className: string;

  /** The learning rate for the update that follows `step` earlier ones. */
  abstract at(step: number): number;

  abstract getConfig(): ScheduleConfig;

  serialize(): SerializedSchedule {
    return { className: this.className, config: this.getConfig() };
  }

  /** `CosineDecay(initialLearningRate=0.001, decaySteps=1000, ...)`, as models and optimizers read. */
  toString(): string {
    return describeCall(this.className, this.getConfig());
  }

  [inspectCustom](): string {
    return this.toString();
  }
}

export function isSerializedSchedule(value: unknown): value is SerializedSchedule {
  return typeof value === 'object' && value !== null && typeof (value as SerializedSchedule).className === 'string' && typeof (value as SerializedSchedule).config === 'object';
}
