import { z } from 'zod';
import { describeCall, inspectCustom } from '../describe.js';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { formatValue, positiveNumber } from '../validation.js';
import { clipGradients, decayWeights, type ClippingSettings } from './gradient-clipping.js';
import { LearningRateSchedule, type SerializedSchedule } from './schedules/learning-rate-schedule.js';

/** One kind of per-weight state (Adam's momentum, say), one buffer per weight. */
export interface OptimizerSlot {
  /** Keras 3's name for it: "momentum", "velocity". */
  name: string;
  buffers: readonly Float32Array[];
}

/** A state buffer of one weight, named `<weight name>/<slot name>`, e.g. "dense/kernel/momentum". */
export interface OptimizerStateBuffer {
  name: string;
  shape: readonly number[];
  values: Float32Array;
}

/** An optimizer's saved config: its hyperparameters, and its learning rate as a number or a schedule. */
export type OptimizerConfig = Record<string, number | boolean | SerializedSchedule>;

/** What every optimizer takes besides its own hyperparameters, as Keras's base Optimizer. */
export interface BaseOptimizerOptions extends ClippingSettings {
  /** A number, or a schedule such as cosineDecay({ initialLearningRate, decaySteps }). */
  learningRate?: number | LearningRateSchedule;
  /** Decoupled weight decay: before each update, w -= w · weightDecay · learningRate (Keras's weight_decay). */
  weightDecay?: number;
}

const nonNegative = z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number');

/** The base options' schema; each optimizer extends it with its own. */
export const baseOptimizerShape = {
  learningRate: z
    .union([positiveNumber, z.instanceof(LearningRateSchedule)], 'must be a positive number or a learning-rate schedule such as cosineDecay({ ... })')
    .optional(),
  weightDecay: nonNegative.optional(),
  clipnorm: positiveNumber.optional(),
  clipvalue: positiveNumber.optional(),
  globalClipnorm: positiveNumber.optional(),
};

/**
 * An optimizer keeps one state buffer set per weight, allocated once when the model is built,
 * and updates every weight in place from its gradient. Before the update, as Keras does, the
 * gradients are clipped (clipnorm, clipvalue or globalClipnorm) and the weights decayed
 * (weightDecay); the learning rate is read from its schedule at each step.
 */
export abstract class Optimizer {
  abstract readonly name: string;
  /** Updates applied so far (Keras's `iterations`). */
  iterations = 0;
  readonly weightDecay: number;
  readonly clipping: Readonly<ClippingSettings>;
  /** The schedule given as learningRate, if any. */
  readonly schedule: LearningRateSchedule | undefined;
  /** The rate of the update being applied (the schedule's value at this step, or the fixed rate). */
  protected currentLearningRate: number;
  /** Set by optimizers whose own update applies the weight decay (AdamW's fused kernel). */
  protected readonly fusesWeightDecay: boolean = false;
  private fixedLearningRate: number;
  private builtFor: readonly Weight[] | undefined;

  protected constructor(
    private readonly context: string,
    options: BaseOptimizerOptions,
    defaults: { learningRate: number; weightDecay?: number },
  ) {
    const given = [options.clipnorm, options.clipvalue, options.globalClipnorm].filter((value) => value !== undefined).length;
    if (given > 1) {
      throw new Error(
        `${context}: only one of clipnorm, clipvalue and globalClipnorm can be set; got clipnorm ${formatValue(options.clipnorm)}, clipvalue ${formatValue(options.clipvalue)}, globalClipnorm ${formatValue(options.globalClipnorm)}.`,
      );
    }
    const rate = options.learningRate ?? defaults.learningRate;
    this.schedule = rate instanceof LearningRateSchedule ? rate : undefined;
    this.fixedLearningRate = rate instanceof LearningRateSchedule ? rate.at(0) : rate;
    this.currentLearningRate = this.fixedLearningRate;
    this.weightDecay = options.weightDecay ?? defaults.weightDecay ?? 0;
    const clipping: ClippingSettings = {};
    if (options.clipnorm !== undefined) clipping.clipnorm = options.clipnorm;
    if (options.clipvalue !== undefined) clipping.clipvalue = options.clipvalue;
    if (options.globalClipnorm !== undefined) clipping.globalClipnorm = options.globalClipnorm;
    this.clipping = clipping;
  }

  /** The rate the next update will use (a schedule's value at the current step). */
  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.iterations) : this.fixedLearningRate;
  }

  /** As Keras's `optimizer.learning_rate = value`: takes effect at the next update. */
  set learningRate(value: number) {
    if (this.schedule) {
      throw new Error(`${this.context}: its learningRate is a ${this.schedule.className} schedule, which cannot be set; give the optimizer a number as learningRate to change it during training.`);
    }
    this.fixedLearningRate = parseLearningRate(value, this.context);
  }

  /** Allocates state for these weights; calling it again with the same weights keeps the state. */
  build(weights: readonly Weight[]): void {
    if (this.isBuiltFor(weights)) return;
    this.builtFor = weights;
    this.iterations = 0;
    this.createState(weights);
  }

  /** Whether the state belongs to exactly these weights. */
  isBuiltFor(weights: readonly Weight[]): boolean {
    return this.builtFor !== undefined && sameWeights(this.builtFor, weights);
  }

  /**
   * The live state buffers, for saving and restoring (empty ones, such as momentum when it is 0,
   * are left out); none before build.
   */
  stateBuffers(): OptimizerStateBuffer[] {
    const weights = this.builtFor;
    if (!weights) return [];
    return this.slots().flatMap((slot) =>
      slot.buffers.flatMap((values, index) =>
        values.length > 0 ? [{ name: `${weights[index]!.name}/${slot.name}`, shape: weights[index]!.shape, values }] : [],
      ),
    );
  }

  protected abstract createState(weights: readonly Weight[]): void;

  /** The per-weight state under Keras 3's names for its optimizer variables. */
  protected abstract slots(): OptimizerSlot[];

  /** Applies one update to every weight from its gradient: clip, decay, then each weight's update. */
  apply(engine: Engine, weights: readonly Weight[]): void {
    this.currentLearningRate = this.learningRate;
    clipGradients(weights, this.clipping);
    if (this.weightDecay > 0 && !this.fusesWeightDecay) decayWeights(weights, this.weightDecay * this.currentLearningRate);
    this.iterations++;
    for (let index = 0; index < weights.length; index++) this.update(engine, weights[index]!, index);
  }

  /** Updates one weight; `this.iterations` is 1 on the first update, and currentLearningRate is this step's rate. */
  protected abstract update(engine: Engine, weight: Weight, index: number): void;

  /** The optimizer's own hyperparameters (its learning rate and the base options are added by getConfig). */
  protected abstract hyperparameters(): Record<string, number | boolean>;

  /** Everything needed to make the same optimizer again (createOptimizer(name, config)). */
  getConfig(): OptimizerConfig {
    const config: OptimizerConfig = { learningRate: this.schedule ? this.schedule.serialize() : this.fixedLearningRate, ...this.hyperparameters() };
    if (this.weightDecay > 0) config.weightDecay = this.weightDecay;
    for (const [key, value] of Object.entries(this.clipping)) config[key] = value;
    return config;
  }

  /** Its class and settings, e.g. `Adam(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7)`; a schedule reads as its own call. */
  toString(): string {
    return describeCall(this.constructor.name, { ...this.getConfig(), ...(this.schedule ? { learningRate: this.schedule } : {}) });
  }

  /** Node's util.inspect shows the same, with the updates applied so far once it has trained. */
  [inspectCustom](): string {
    return this.iterations > 0 ? `${this.toString()} after ${this.iterations} updates` : this.toString();
  }
}

/** Checks a new learning rate as the constructors do. */
export function parseLearningRate(value: number, optimizer: string): number {
  const result = positiveNumber.safeParse(value);
  if (!result.success) throw new Error(`${optimizer}: learningRate must be a positive number; got ${String(value)}.`);
  return result.data;
}

function sameWeights(a: readonly Weight[], b: readonly Weight[]): boolean {
  return a.length === b.length && a.every((weight, index) => weight.values === b[index]!.values);
}
