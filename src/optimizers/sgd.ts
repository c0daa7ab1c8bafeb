import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import type { Engine, SgdSettings } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, unitInterval } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface SgdOptions extends BaseOptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

const sgdSchema = z.strictObject({
  ...baseOptimizerShape,
  momentum: unitInterval.optional(),
  nesterov: z.boolean().optional(),
});

/** Stochastic gradient descent with Keras's defaults (learningRate 0.01, momentum 0, nesterov false). */
export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly settings: SgdSettings;
  private velocities: Float32Array[] = [];

  constructor(options: KerasSpelled<SgdOptions> = {}) {
    const parsed = parseOptions(sgdSchema, options, 'sgd()');
    super('sgd()', parsed, { learningRate: 0.01 });
    this.settings = { learningRate: this.currentLearningRate, momentum: parsed.momentum ?? 0, nesterov: parsed.nesterov ?? false };
  }

  protected createState(weights: readonly Weight[]): void {
    this.velocities = weights.map((weight) => new Float32Array(this.settings.momentum > 0 ? weight.values.length : 0));
  }

  protected slots(): OptimizerSlot[] {
    return [{ name: 'momentum', buffers: this.velocities }];
  }

  protected update(engine: Engine, weight: Weight, index: number): void {
    this.settings.learningRate = this.currentLearningRate;
    engine.sgdUpdate(weight.values, weight.gradient, this.velocities[index]!, weight.values.length, this.settings);
  }

  protected hyperparameters(): Record<string, number | boolean> {
    return { momentum: this.settings.momentum, nesterov: this.settings.nesterov };
  }
}

export function sgd(options: KerasSpelled<SgdOptions> = {}): SGD {
  return new SGD(options);
}
