import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import type { AdamSettings, Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { Optimizer, parseLearningRate, type OptimizerSlot } from './optimizer.js';

export type AdamOptions = Partial<AdamSettings>;

const adamSchema = z.strictObject({
  learningRate: positiveNumber.optional(),
  beta1: unitInterval.optional(),
  beta2: unitInterval.optional(),
  epsilon: positiveNumber.optional(),
});

/** Adam with Keras's defaults (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). */
export class Adam extends Optimizer {
  readonly name = 'adam';
  readonly settings: AdamSettings;
  private firstMoments: Float32Array[] = [];
  private secondMoments: Float32Array[] = [];

  constructor(options: KerasSpelled<AdamOptions> = {}) {
    super();
    const parsed = parseOptions(adamSchema, options, 'adam()');
    this.settings = {
      learningRate: parsed.learningRate ?? 0.001,
      beta1: parsed.beta1 ?? 0.9,
      beta2: parsed.beta2 ?? 0.999,
      epsilon: parsed.epsilon ?? 1e-7,
    };
  }

  get learningRate(): number {
    return this.settings.learningRate;
  }

  set learningRate(value: number) {
    this.settings.learningRate = parseLearningRate(value, 'adam()');
  }

  protected createState(weights: readonly Weight[]): void {
    this.firstMoments = weights.map((weight) => new Float32Array(weight.values.length));
    this.secondMoments = weights.map((weight) => new Float32Array(weight.values.length));
  }

  protected slots(): OptimizerSlot[] {
    return [
      { name: 'momentum', buffers: this.firstMoments },
      { name: 'velocity', buffers: this.secondMoments },
    ];
  }

  protected update(engine: Engine, weight: Weight, index: number): void {
    engine.adamUpdate(
      weight.values,
      weight.gradient,
      this.firstMoments[index]!,
      this.secondMoments[index]!,
      weight.values.length,
      this.iterations,
      this.settings,
    );
  }

  getConfig(): Record<string, number> {
    return { ...this.settings };
  }
}

export function adam(options: KerasSpelled<AdamOptions> = {}): Adam {
  return new Adam(options);
}
