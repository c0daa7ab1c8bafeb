import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import type { Engine, RmspropSettings } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { Optimizer, parseLearningRate, type OptimizerSlot } from './optimizer.js';

export type RmspropOptions = Partial<RmspropSettings>;

const rmspropSchema = z.strictObject({
  learningRate: positiveNumber.optional(),
  rho: unitInterval.optional(),
  momentum: unitInterval.optional(),
  epsilon: positiveNumber.optional(),
});

/** RMSprop with Keras's defaults (learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7). */
export class RMSprop extends Optimizer {
  readonly name = 'rmsprop';
  readonly settings: RmspropSettings;
  private meanSquares: Float32Array[] = [];
  private momentumBuffers: Float32Array[] = [];

  constructor(options: KerasSpelled<RmspropOptions> = {}) {
    super();
    const parsed = parseOptions(rmspropSchema, options, 'rmsprop()');
    this.settings = {
      learningRate: parsed.learningRate ?? 0.001,
      rho: parsed.rho ?? 0.9,
      momentum: parsed.momentum ?? 0,
      epsilon: parsed.epsilon ?? 1e-7,
    };
  }

  get learningRate(): number {
    return this.settings.learningRate;
  }

  set learningRate(value: number) {
    this.settings.learningRate = parseLearningRate(value, 'rmsprop()');
  }

  protected createState(weights: readonly Weight[]): void {
    this.meanSquares = weights.map((weight) => new Float32Array(weight.values.length));
    // Without momentum the buffer is never read; an empty one avoids doubling the memory.
    this.momentumBuffers = weights.map((weight) => new Float32Array(this.settings.momentum > 0 ? weight.values.length : 0));
  }

  protected slots(): OptimizerSlot[] {
    return [
      { name: 'velocity', buffers: this.meanSquares },
      { name: 'momentum', buffers: this.momentumBuffers },
    ];
  }

  protected update(engine: Engine, weight: Weight, index: number): void {
    engine.rmspropUpdate(weight.values, weight.gradient, this.meanSquares[index]!, this.momentumBuffers[index]!, weight.values.length, this.settings);
  }

  getConfig(): Record<string, number> {
    return { ...this.settings };
  }
}

export function rmsprop(options: KerasSpelled<RmspropOptions> = {}): RMSprop {
  return new RMSprop(options);
}
