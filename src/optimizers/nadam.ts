import type { KerasSpelled } from '../naming.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface NadamOptions extends BaseOptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

const nadamSchema = z.strictObject({ ...baseOptimizerShape, beta1: unitInterval.optional(), beta2: unitInterval.optional(), epsilon: positiveNumber.optional() });

/**
 * Nadam (Dozat, 2016), Adam with Nesterov momentum, as Keras 3 computes it: the momentum schedule
 * u_t = beta1 · (1 - 0.5 · 0.96^t) and its running product. Defaults are Keras's (learningRate
 * 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). Runs in TypeScript on either engine.
 */
export class Nadam extends Optimizer {
  readonly name = 'nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Float32Array[] = [];
  private velocities: Float32Array[] = [];
  // The product u_1 · … · u_t, which follows from the step alone; kept for the last step asked.
  private productStep = 0;
  private product = 1;

  constructor(options: KerasSpelled<NadamOptions> = {}) {
    const parsed = parseOptions(nadamSchema, options, 'nadam()');
    super('nadam()', parsed, { learningRate: 0.001 });
    this.beta1 = parsed.beta1 ?? 0.9;
    this.beta2 = parsed.beta2 ?? 0.999;
    this.epsilon = parsed.epsilon ?? 1e-7;
  }

  protected createState(weights: readonly Weight[]): void {
    this.momentums = weights.map((weight) => new Float32Array(weight.values.length));
    this.velocities = weights.map((weight) => new Float32Array(weight.values.length));
  }

  protected slots(): OptimizerSlot[] {
    return [
      { name: 'momentum', buffers: this.momentums },
      { name: 'velocity', buffers: this.velocities },
    ];
  }

  private momentumAt(step: number): number {
    return this.beta1 * (1 - 0.5 * Math.pow(0.96, step));
  }

  /** u_1 · … · u_step, computed again from the start after a load or a rebuild. */
  private productUpTo(step: number): number {
    if (step < this.productStep) {
      this.productStep = 0;
      this.product = 1;
    }
    while (this.productStep < step) this.product *= this.momentumAt(++this.productStep);
    return this.product;
  }

  protected update(_engine: Engine, weight: Weight, index: number): void {
    const step = this.iterations;
    const { beta1, beta2, epsilon } = this;
    const learningRate = this.currentLearningRate;
    const momentum = this.momentumAt(step);
    const nextMomentum = this.momentumAt(step + 1);
    const product = this.productUpTo(step);
    const nextProduct = product * nextMomentum;
    const correction = 1 - Math.pow(beta2, step);
    const m = this.momentums[index]!;
    const v = this.velocities[index]!;
    const values = weight.values;
    const gradient = weight.gradient;
    for (let i = 0; i < values.length; i++) {
      const g = gradient[i]!;
      m[i]! += (g - m[i]!) * (1 - beta1);
      v[i]! += (g * g - v[i]!) * (1 - beta2);
      const mHat = (nextMomentum * m[i]!) / (1 - nextProduct) + ((1 - momentum) * g) / (1 - product);
      const vHat = v[i]! / correction;
      values[i]! -= (mHat * learningRate) / (Math.sqrt(vHat) + epsilon);
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function nadam(options: NadamOptions = {}): Nadam {
  return new Nadam(options);
}
