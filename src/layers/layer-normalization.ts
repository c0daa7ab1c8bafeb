import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import { parseOptions, positiveNumber, shape } from '../validation.js';
import { baseConfig, Layer, type Weight } from './layer.js';

export interface LayerNormalizationOptions {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  inputShape?: readonly number[];
  name?: string;
}

const schema = z.strictObject({
  epsilon: positiveNumber.optional(),
  center: z.boolean().optional(),
  scale: z.boolean().optional(),
  inputShape: shape.optional(),
  name: z.string().optional(),
});

/**
 * Keras's LayerNormalization over the features of each sample (flat inputs): x̂ = (x - mean) /
 * sqrt(variance + epsilon), then gamma · x̂ + beta; the same in training and inference. epsilon 1e-3.
 */
export class LayerNormalization extends Layer {
  readonly className = 'LayerNormalization';
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private gamma: Weight | undefined;
  private beta: Weight | undefined;
  /** Per row of the last forward: mean and 1/sqrt(variance + epsilon), grown to the largest batch once. */
  private rowMean = new Float64Array(0);
  private rowInverse = new Float64Array(0);

  constructor(options: LayerNormalizationOptions = {}) {
    const parsed = parseOptions(schema, options, 'layerNormalization()');
    super(parsed.name, parsed.inputShape);
    this.epsilon = parsed.epsilon ?? 1e-3;
    this.center = parsed.center ?? true;
    this.scale = parsed.scale ?? true;
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    if (inputShape.length !== 1) {
      throw new Error(`LayerNormalization layer "${this.name}" needs a flat input but receives shape [${inputShape.join(', ')}]: put flatten() before it.`);
    }
    const features = inputShape[0]!;
    const weight = (name: string, fill: number): Weight => ({
      name: `${this.name}/${name}`,
      shape: [features],
      values: new Float32Array(features).fill(fill),
      gradient: new Float32Array(features),
    });
    this.gamma = this.scale ? weight('gamma', 1) : undefined;
    this.beta = this.center ? weight('beta', 0) : undefined;
    return inputShape;
  }

  override get weights(): readonly Weight[] {
    return [this.gamma, this.beta].filter((weight): weight is Weight => weight !== undefined);
  }

  forward(_engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number): void {
    const features = this.outputSize;
    if (this.rowMean.length < rows) {
      this.rowMean = new Float64Array(rows);
      this.rowInverse = new Float64Array(rows);
    }
    const gamma = this.gamma?.values;
    const beta = this.beta?.values;
    for (let r = 0; r < rows; r++) {
      const at = r * features;
      let sum = 0;
      for (let j = 0; j < features; j++) sum += input[at + j]!;
      const mean = sum / features;
      let squares = 0;
      for (let j = 0; j < features; j++) squares += (input[at + j]! - mean) ** 2;
      const inverse = 1 / Math.sqrt(squares / features + this.epsilon);
      this.rowMean[r] = mean;
      this.rowInverse[r] = inverse;
      for (let j = 0; j < features; j++) {
        const normalized = (input[at + j]! - mean) * inverse;
        output[at + j] = (gamma ? gamma[j]! * normalized : normalized) + (beta ? beta[j]! : 0);
      }
    }
  }

  backward(
    _engine: Engine,
    input: Float32Array,
    _output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
  ): void {
    const features = this.outputSize;
    const gamma = this.gamma?.values;
    this.gamma?.gradient.fill(0);
    this.beta?.gradient.fill(0);
    for (let r = 0; r < rows; r++) {
      const at = r * features;
      const mean = this.rowMean[r]!;
      const inverse = this.rowInverse[r]!;
      let sumGrad = 0;
      let sumGradNormalized = 0;
      for (let j = 0; j < features; j++) {
        const g = gradOutput[at + j]!;
        const normalized = (input[at + j]! - mean) * inverse;
        if (this.gamma) this.gamma.gradient[j] += g * normalized;
        if (this.beta) this.beta.gradient[j] += g;
        const scaled = gamma ? g * gamma[j]! : g;
        sumGrad += scaled;
        sumGradNormalized += scaled * normalized;
      }
      if (!gradInput) continue;
      for (let j = 0; j < features; j++) {
        const normalized = (input[at + j]! - mean) * inverse;
        const scaled = gamma ? gradOutput[at + j]! * gamma[j]! : gradOutput[at + j]!;
        gradInput[at + j] = (inverse / features) * (features * scaled - sumGrad - normalized * sumGradNormalized);
      }
    }
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export function layerNormalization(options: LayerNormalizationOptions = {}): LayerNormalization {
  return new LayerNormalization(options);
}
