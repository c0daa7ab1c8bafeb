import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';

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

  /** Allocates state for these weights; calling it again with the same weights keeps the state. */
  build(weights: readonly Weight[]): void {
    if (this.builtFor && sameWeights(this.builtFor, weights)) return;
    this.builtFor = weights;
    this.iterations = 0;
    this.createState(weights);
  }

  protected abstract createState(weights: readonly Weight[]): void;

  /** Applies one update to every weight from its gradient. */
  apply(engine: Engine, weights: readonly Weight[]): void {
    this.iterations++;
    for (let index = 0; index < weights.length; index++) this.update(engine, weights[index]!, index);
  }

  protected abstract update(engine: Engine, weight: Weight, index: number): void;

  abstract getConfig(): Record<string, number | boolean>;
}

function sameWeights(a: readonly Weight[], b: readonly Weight[]): boolean {
  return a.length === b.length && a.every((weight, index) => weight.values === b[index]!.values);
}
