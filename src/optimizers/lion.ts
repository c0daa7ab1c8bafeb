import type { KerasSpelled } from '../naming.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, unitInterval } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface LionOptions extends BaseOptimizerOptions {
  beta1?: number;
  beta2?: number;
}

const BETA1 = 'must be in (0, 1]';

const lionSchema = z.strictObject({
  ...baseOptimizerShape,
  // Keras refuses beta_1 <= 0 or > 1: with 0 the update would be the sign of the gradient alone.
  beta1: z.number(BETA1).gt(0, BETA1).max(1, BETA1).optional(),
  beta2: unitInterval.optional(),
});

/**
 * Lion (Chen et al., 2023) as Keras: w -= lr · sign(beta1 · m + (1 - beta1) · g), then
 * m = beta2 · m + (1 - beta2) · g, with Keras's defaults (learningRate 0.001, beta1 0.9, beta2
 * 0.99). Runs in TypeScript on either engine.
 */
export class Lion extends Optimizer {
  readonly name = 'lion';
  readonly beta1: number;
  readonly beta2: number;
  private momentums: Float32Array[] = [];

  constructor(options: KerasSpelled<LionOptions> = {}) {
    const parsed = parseOptions(lionSchema, options, 'lion()');
    super('lion()', parsed, { learningRate: 0.001 });
    this.beta1 = parsed.beta1 ?? 0.9;
    this.beta2 = parsed.beta2 ?? 0.99;
  }

  protected createState(weights: readonly Weight[]): void {
    this.momentums = weights.map((weight) => new Float32Array(weight.values.length));
  }

  protected slots(): OptimizerSlot[] {
    return [{ name: 'momentum', buffers: this.momentums }];
  }

  protected update(_engine: Engine, weight: Weight, index: number): void {
    const { beta1, beta2 } = this;
    const learningRate = this.currentLearningRate;
    const m = this.momentums[index]!;
    const values = weight.values;
    const gradient = weight.gradient;
    for (let i = 0; i < values.length; i++) {
      const g = gradient[i]!;
      values[i]! -= learningRate * Math.sign(m[i]! * beta1 + g * (1 - beta1));
      m[i] = m[i]! * beta2 + g * (1 - beta2);
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2 };
  }
}

export function lion(options: LionOptions = {}): Lion {
  return new Lion(options);
}
