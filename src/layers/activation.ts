import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import { parseOptions, shape } from '../validation.js';
import { parseActivation, type ActivationName } from './activations.js';
import { baseConfig, Layer } from './layer.js';

export interface ActivationOptions {
  activation: ActivationName;
  inputShape?: readonly number[];
  name?: string;
}

const activationSchema = z.strictObject({ activation: z.string(), inputShape: shape.optional(), name: z.string().optional() });

/** Applies an activation function on its own, as Keras's Activation layer. */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;

  constructor(options: ActivationOptions) {
    const parsed = parseOptions(activationSchema, options, 'activation()');
    super(parsed.name, parsed.inputShape);
    this.activation = parseActivation(parsed.activation);
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    return inputShape;
  }

  override get finalActivation(): string {
    return this.activation;
  }

  override get gradientInPlace(): boolean {
    return true;
  }

  forward(engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number, _training: boolean, _seed: number, logits: boolean): void {
    const width = this.outputSize;
    engine.activationForward(logits ? 'linear' : this.activation, input, output, rows * width, width);
  }

  backward(
    engine: Engine,
    input: Float32Array,
    output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
    logits: boolean,
  ): void {
    const width = this.outputSize;
    if (!logits) engine.activationBackward(this.activation, output, gradOutput, rows * width, width, input);
    if (gradInput && gradInput !== gradOutput) gradInput.set(gradOutput);
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), activation: this.activation };
  }
}

export function activation(options: ActivationOptions): Activation {
  return new Activation(options);
}
