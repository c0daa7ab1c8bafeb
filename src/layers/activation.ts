import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, positionalOptions, shape } from '../validation.js';
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

  /** `new Activation('relu')` as Keras's `Activation('relu')`, or one options object. */
  constructor(activation: ActivationName, options?: KerasSpelled<Omit<ActivationOptions, 'activation'>>);
  constructor(options: KerasSpelled<ActivationOptions>);
  constructor(activationOrOptions: ActivationName | KerasSpelled<ActivationOptions>, options?: KerasSpelled<Omit<ActivationOptions, 'activation'>>) {
    const parsed = parseOptions(activationSchema, positionalOptions(activationOrOptions, options, 'activation', 'activation()'), 'activation()');
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
    _input: Float32Array,
    output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
    logits: boolean,
  ): void {
    const width = this.outputSize;
    if (!logits) engine.activationBackward(this.activation, output, gradOutput, rows * width, width);
    if (gradInput && gradInput !== gradOutput) gradInput.set(gradOutput);
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), activation: this.activation };
  }
}

/** `activation('relu')` as Keras's `Activation('relu')`, or `activation({ activation: 'relu' })`. */
export function activation(activation: ActivationName, options?: KerasSpelled<Omit<ActivationOptions, 'activation'>>): Activation;
export function activation(options: KerasSpelled<ActivationOptions>): Activation;
export function activation(activationOrOptions: ActivationName | KerasSpelled<ActivationOptions>, options?: KerasSpelled<Omit<ActivationOptions, 'activation'>>): Activation {
  return new Activation(activationOrOptions as ActivationName, options);
}
