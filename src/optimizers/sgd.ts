import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import type { Engine, SgdSettings } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { Optimizer, parseLearningRate, type OptimizerSlot } from './optimizer.js';

export type SgdOptions = Partial<SgdSettings>;

const sgdSchema = z.strictObject({
  learningRate: positiveNumber.optional(),
  momentum: unitInterval.optional(),
  nesterov: z.boolean().optional(),
});

/** Stochastic gradient descent with Keras's defaults (learningRate 0.01, momentum 0, nesterov false). */
export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly settings: SgdSettings;
  private velocities: Float32Array[] = [];

  constructor(options: KerasSpelled<SgdOptions> = {}) {
    super();
    const parsed = parseOptions(sgdSchema, options, 'sgd()');
    this.settings = { learningRate: parsed.learningRate ?? 0.01, momentum: parsed.momentum ?? 0, nesterov: parsed.nesterov ?? false };
  }

  get learningRate(): number {
    return this.settings.learningRate;
  }

  set learningRate(value: number) {
    this.settings.learningRate = parseLearningRate(value, 'sgd()');
  }

  protected createState(weights: readonly Weight[]): void {
    this.velocities = weights.map((weight) => new Float32Array(this.settings.momentum > 0 ? weight.values.length : 0));
  }

  protected slots(): OptimizerSlot[] {
    return [{ name: 'momentum', buffers: this.velocities }];
  }

  protected update(engine: Engine, weight: Weight, index: number): void {
    engine.sgdUpdate(weight.values, weight.gradient, this.velocities[index]!, weight.values.length, this.settings);
  }

  getConfig(): Record<string, number | boolean> {
    return { ...this.settings };
  }
}

export function sgd(options: KerasSpelled<SgdOptions> = {}): SGD {
  return new SGD(options);
}
