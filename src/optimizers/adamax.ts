import type { KerasSpelled } from '../naming.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface AdamaxOptions extends BaseOptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

const adamaxSchema = z.strictObject({ ...baseOptimizerShape, beta1: unitInterval.optional(), beta2: unitInterval.optional(), epsilon: positiveNumber.optional() });

/**
 * Adamax (Kingma & Ba, 2015), Adam with the infinity norm, as Keras: m += (g - m)(1 - beta1);
 * u = max(beta2 · u, |g|); w -= lr · m / ((1 - beta1^t)(u + epsilon)). Keras's defaults
 * (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). Runs in TypeScript on either engine.
 */
export class Adamax extends Optimizer {
  readonly name = 'adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Float32Array[] = [];
  private norms: Float32Array[] = [];

  constructor(options: KerasSpelled<AdamaxOptions> = {}) {
    const parsed = parseOptions(adamaxSchema, options, 'adamax()');
    super('adamax()', parsed, { learningRate: 0.001 });
    this.beta1 = parsed.beta1 ?? 0.9;
    this.beta2 = parsed.beta2 ?? 0.999;
    this.epsilon = parsed.epsilon ?? 1e-7;
  }

  protected createState(weights: readonly Weight[]): void {
    this.momentums = weights.map((weight) => new Float32Array(weight.values.length));
    this.norms = weights.map((weight) => new Float32Array(weight.values.length));
  }

  protected slots(): OptimizerSlot[] {
    return [
      { name: 'momentum', buffers: this.momentums },
      { name: 'norm', buffers: this.norms },
    ];
  }

  protected update(_engine: Engine, weight: Weight, index: number): void {
    const { beta1, beta2, epsilon } = this;
    const correction = 1 - Math.pow(beta1, this.iterations);
    const learningRate = this.currentLearningRate;
    const m = this.momentums[index]!;
    const u = this.norms[index]!;
    const values = weight.values;
    const gradient = weight.gradient;
    for (let i = 0; i < values.length; i++) {
      const g = gradient[i]!;
      m[i]! += (g - m[i]!) * (1 - beta1);
      u[i] = Math.max(beta2 * u[i]!, Math.abs(g));
      values[i]! -= (learningRate * m[i]!) / (correction * (u[i]! + epsilon));
    }
  }

  protected hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function adamax(options: AdamaxOptions = {}): Adamax {
  return new Adamax(options);
}
