import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import type { AdamwSettings, Engine } from '../engine/engine.js';
import type { Weight } from '../layers/layer.js';
import { parseOptions, positiveNumber, unitInterval } from '../validation.js';
import { baseOptimizerShape, Optimizer, type BaseOptimizerOptions, type OptimizerSlot } from './optimizer.js';

export interface AdamOptions extends BaseOptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Keras's amsgrad: divide by the running maximum of the second moment (Reddi et al., 2018). */
  amsgrad?: boolean;
}

const adamSchema = z.strictObject({
  ...baseOptimizerShape,
  beta1: unitInterval.optional(),
  beta2: unitInterval.optional(),
  epsilon: positiveNumber.optional(),
  amsgrad: z.boolean('must be true or false').optional(),
});

/**
 * Adam with Keras's defaults (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7). With
 * weightDecay it is AdamW (the decay is fused into the same native pass), with amsgrad AMSGrad.
 */
export class Adam extends Optimizer {
  readonly name: string = 'adam';
  /** What the engine reads; its learningRate is this step's rate. */
  readonly settings: AdamwSettings;
  readonly amsgrad: boolean;
  protected override readonly fusesWeightDecay = true;
  private firstMoments: Float32Array[] = [];
  private secondMoments: Float32Array[] = [];
  private maxSecondMoments: Float32Array[] = [];

  constructor(options: KerasSpelled<AdamOptions> = {}, context = 'adam()', defaultWeightDecay = 0) {
    const parsed = parseOptions(adamSchema, options, context);
    super(context, parsed, { learningRate: 0.001, weightDecay: defaultWeightDecay });
    this.amsgrad = parsed.amsgrad ?? false;
    this.settings = {
      learningRate: this.currentLearningRate,
      beta1: parsed.beta1 ?? 0.9,
      beta2: parsed.beta2 ?? 0.999,
      epsilon: parsed.epsilon ?? 1e-7,
      weightDecay: this.weightDecay,
    };
  }

  protected createState(weights: readonly Weight[]): void {
    this.firstMoments = weights.map((weight) => new Float32Array(weight.values.length));
    this.secondMoments = weights.map((weight) => new Float32Array(weight.values.length));
    this.maxSecondMoments = weights.map((weight) => new Float32Array(this.amsgrad ? weight.values.length : 0));
  }

  protected slots(): OptimizerSlot[] {
    return [
      { name: 'momentum', buffers: this.firstMoments },
      { name: 'velocity', buffers: this.secondMoments },
      { name: 'velocity_hat', buffers: this.maxSecondMoments },
    ];
  }

  protected update(engine: Engine, weight: Weight, index: number): void {
    const settings = this.settings;
    settings.learningRate = this.currentLearningRate;
    const values = weight.values;
    if (this.amsgrad || settings.weightDecay > 0) {
      engine.adamwUpdate(values, weight.gradient, this.firstMoments[index]!, this.secondMoments[index]!, this.maxSecondMoments[index]!, values.length, this.iterations, settings);
    } else {
      engine.adamUpdate(values, weight.gradient, this.firstMoments[index]!, this.secondMoments[index]!, values.length, this.iterations, settings);
    }
  }

  protected hyperparameters(): Record<string, number | boolean> {
    const { beta1, beta2, epsilon } = this.settings;
    return this.amsgrad ? { beta1, beta2, epsilon, amsgrad: true } : { beta1, beta2, epsilon };
  }
}

export function adam(options: KerasSpelled<AdamOptions> = {}): Adam {
  return new Adam(options);
}
