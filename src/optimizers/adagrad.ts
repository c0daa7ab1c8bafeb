import type { KerasSpelled } from '../naming.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface AdagradOptions extends BaseOptimizerOptions {
  initialAccumulatorValue?: number;
  epsilon?: number;
}

const adagradSchema = z.strictObject({
  ...baseOptimizerShape,
  initialAccumulatorValue: z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number').optional(),
  epsilon: positiveNumber.optional(),
});

/**
 * Adagrad (Duchi et al., 2011) as Keras: a += g²; w -= lr · g / √(a + epsilon), with Keras's
 * defaults (learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7). Runs in TypeScript
 * on either engine.
 */
export class Adagrad extends Optimizer {
  readonly name = 'adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Float32Array[] = [];

  constructor(options: KerasSpelled<AdagradOptions> = {}) {
    const parsed = parseOptions(adagradSchema, options, 'adagrad()');
    super('adagrad()', parsed, { learningRate: 0.001 });
    this.initialAccumulatorValue = parsed.initialAccumulatorValue ?? 0.1;
    this.epsilon = parsed.epsilon ?? 1e-7;
  }

  protected createState(weights: readonly Weight[]): void {
    this.accumulators = weights.map((weight) => new Float32Array(weight.values.length).fill(this.initialAccumulatorValue));
  }

  protected slots(): OptimizerSlot[] {
    return [{ name: 'accumulator', buffers: this.accumulators }];
  }

  protected update(_engine: Engine, weight: Weight, index: number): void {
    const learningRate = this.currentLearningRate;
    const epsilon = this.epsilon;
    const accumulator = this.accumulators[index]!;
    const values = weight.values;
    const gradient = weight.gradient;
    for (let i = 0; i < values.length; i++) {
      const g = gradient[i]!;
      accumulator[i]! += g * g;
      values[i]! -= (learningRate * g) / Math.sqrt(accumulator[i]! + epsilon);
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export function adagrad(options: AdagradOptions = {}): Adagrad {
  return new Adagrad(options);
}
