import { describeCall, inspectCustom } from '../describe.js';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { positiveNumber } from '../validation.js';

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

/**
 * An optimizer keeps one state buffer set per weight, allocated once when the model is built,
 * and updates every weight in place from its gradient in one engine call.
 */
export abstract class Optimizer {
  abstract readonly name: 'adam' | 'rmsprop' | 'sgd';
  /** Updates applied so far (Keras's `iterations`). */
  iterations = 0;
  private builtFor: readonly Weight[] | undefined;

  abstract get learningRate(): number;
  /** As Keras's `optimizer.learning_rate = value`: takes effect at the next update. */
  abstract set learningRate(value: number);

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

  /** Applies one update to every weight from its gradient. */
  apply(engine: Engine, weights: readonly Weight[]): void {
    this.iterations++;
    for (let index = 0; index < weights.length; index++) this.update(engine, weights[index]!, index);
  }

  protected abstract update(engine: Engine, weight: Weight, index: number): void;

  abstract getConfig(): Record<string, number | boolean>;

  /** Its class and settings, e.g. `Adam(learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7)`. */
  toString(): string {
    return describeCall(this.constructor.name, this.getConfig());
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
