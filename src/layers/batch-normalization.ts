import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import { parseOptions, positiveNumber, shape, unitInterval } from '../validation.js';
import { baseConfig, Layer, type Weight } from './layer.js';

export interface BatchNormalizationOptions {
  /** Keras's momentum of the moving statistics: moving = moving · momentum + batch · (1 - momentum). */
  momentum?: number;
  epsilon?: number;
  /** Adds the trainable offset beta. */
  center?: boolean;
  /** Multiplies by the trainable gamma. */
  scale?: boolean;
  inputShape?: readonly number[];
  name?: string;
}

const schema = z.strictObject({
  momentum: unitInterval.optional(),
  epsilon: positiveNumber.optional(),
  center: z.boolean().optional(),
  scale: z.boolean().optional(),
  inputShape: shape.optional(),
  name: z.string().optional(),
});

/**
 * Keras's BatchNormalization over the features of flat inputs: in training each feature is
 * normalized by the batch's mean and (biased) variance, which also update the moving statistics;
 * at inference by the moving statistics. gamma and beta train; moving_mean and moving_variance
 * are non-trainable weights, saved with the model. Defaults as Keras: momentum 0.99, epsilon 1e-3.
 */
export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: Weight | undefined;
  private beta: Weight | undefined;
  private movingMean: Weight | undefined;
  private movingVariance: Weight | undefined;
  /** The last training batch's per-feature mean and 1/sqrt(variance + epsilon), for backward. */
  private batchMean = new Float64Array(0);
  private inverseDeviation = new Float64Array(0);
  /** Per-feature buffers, allocated once at build: the batch's variance, the affine map x · factor + offset, and backward's scale and sums. */
  private batchVariance = new Float64Array(0);
  private factor = new Float64Array(0);
  private offset = new Float64Array(0);
  private gradientScale = new Float64Array(0);
  private sumGrad = new Float64Array(0);
  private sumGradNormalized = new Float64Array(0);

  constructor(options: BatchNormalizationOptions = {}) {
    const parsed = parseOptions(schema, options, 'batchNormalization()');
    super(parsed.name, parsed.inputShape);
    this.momentum = parsed.momentum ?? 0.99;
    this.epsilon = parsed.epsilon ?? 1e-3;
    this.center = parsed.center ?? true;
    this.scale = parsed.scale ?? true;
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    if (inputShape.length !== 1) {
      throw new Error(`BatchNormalization layer "${this.name}" needs a flat input but receives shape [${inputShape.join(', ')}]: put flatten() before it.`);
    }
    const features = inputShape[0]!;
    const weight = (name: string, fill: number, trainable: boolean): Weight => ({
      name: `${this.name}/${name}`,
      shape: [features],
      values: new Float32Array(features).fill(fill),
      gradient: new Float32Array(trainable ? features : 0),
    });
    this.gamma = this.scale ? weight('gamma', 1, true) : undefined;
    this.beta = this.center ? weight('beta', 0, true) : undefined;
    this.movingMean = weight('moving_mean', 0, false);
    this.movingVariance = weight('moving_variance', 1, false);
    this.batchMean = new Float64Array(features);
    this.inverseDeviation = new Float64Array(features);
    this.batchVariance = new Float64Array(features);
    this.factor = new Float64Array(features);
    this.offset = new Float64Array(features);
    this.gradientScale = new Float64Array(features);
    this.sumGrad = new Float64Array(features);
    this.sumGradNormalized = new Float64Array(features);
    return inputShape;
  }

  override get weights(): readonly Weight[] {
    return [this.gamma, this.beta].filter((weight): weight is Weight => weight !== undefined);
  }

  override get nonTrainableWeights(): readonly Weight[] {
    return this.movingMean ? [this.movingMean, this.movingVariance!] : [];
  }

  forward(engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number, training: boolean): void {
    const features = this.outputSize;
    const gamma = this.gamma?.values;
    const beta = this.beta?.values;
    const movingMean = this.movingMean!.values;
    const movingVariance = this.movingVariance!.values;
    const mean = this.batchMean;
    if (training) {
      const variance = this.batchVariance;
      engine.columnStatistics(input, rows, features, mean, variance);
      for (let j = 0; j < features; j++) {
        this.inverseDeviation[j] = 1 / Math.sqrt(variance[j]! + this.epsilon);
        movingMean[j] = movingMean[j]! * this.momentum + mean[j]! * (1 - this.momentum);
        movingVariance[j] = movingVariance[j]! * this.momentum + variance[j]! * (1 - this.momentum);
      }
    }
    // x̂ · gamma + beta as one affine map per feature: x · factor + offset.
    for (let j = 0; j < features; j++) {
      const center = training ? mean[j]! : movingMean[j]!;
      const inverse = training ? this.inverseDeviation[j]! : 1 / Math.sqrt(movingVariance[j]! + this.epsilon);
      this.factor[j] = gamma ? gamma[j]! * inverse : inverse;
      this.offset[j] = (beta ? beta[j]! : 0) - center * this.factor[j]!;
    }
    engine.columnAffine(input, output, rows, features, this.factor, this.offset);
  }

  backward(
    engine: Engine,
    input: Float32Array,
    _output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
  ): void {
    const features = this.outputSize;
    const gamma = this.gamma?.values;
    // d/dx of gamma · x̂ with the batch's own statistics: (gamma·inverse/N)(N·g − Σg − x̂·Σg·x̂).
    const { gradientScale: scale, sumGrad, sumGradNormalized } = this;
    for (let j = 0; j < features; j++) scale[j] = ((gamma ? gamma[j]! : 1) * this.inverseDeviation[j]!) / rows;
    engine.batchNormBackward(input, gradOutput, gradInput, rows, features, this.batchMean, this.inverseDeviation, scale, sumGrad, sumGradNormalized);
    for (let j = 0; j < features; j++) {
      if (this.gamma) this.gamma.gradient[j] = sumGradNormalized[j]!;
      if (this.beta) this.beta.gradient[j] = sumGrad[j]!;
    }
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export function batchNormalization(options: BatchNormalizationOptions = {}): BatchNormalization {
  return new BatchNormalization(options);
}
