import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, positionalOptions, shape, unitInterval } from '../validation.js';
import { baseConfig, Layer } from './layer.js';

export interface DropoutOptions {
  rate: number;
  inputShape?: readonly number[];
  name?: string;
}

const dropoutSchema = z.strictObject({
  rate: unitInterval,
  inputShape: shape.optional(),
  name: z.string().optional(),
});

/** Inverted dropout: in training each value is zeroed with probability `rate`, the rest scaled up. */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;

  /** `new Dropout(0.2)` as Keras's `Dropout(0.2)`, or one options object. */
  constructor(rate: number, options?: KerasSpelled<Omit<DropoutOptions, 'rate'>>);
  constructor(options: KerasSpelled<DropoutOptions>);
  constructor(rateOrOptions: number | KerasSpelled<DropoutOptions>, options?: KerasSpelled<Omit<DropoutOptions, 'rate'>>) {
    const parsed = parseOptions(dropoutSchema, positionalOptions(rateOrOptions, options, 'rate', 'dropout()'), 'dropout()');
    super(parsed.name, parsed.inputShape);
    this.rate = parsed.rate;
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    return inputShape;
  }

  override get identityAtInference(): boolean {
    return true;
  }

  override get gradientInPlace(): boolean {
    return true;
  }

  override get needsMask(): boolean {
    return true;
  }

  forward(engine: Engine, input: Float32Array, output: Float32Array, mask: Float32Array | null, rows: number, training: boolean, seed: number): void {
    // Inference shares the input buffer (identityAtInference), so only training gets here with work to do.
    if (output === input) return;
    if (training && mask) engine.dropoutForward(input, output, mask, rows * this.outputSize, this.rate, seed);
    else output.set(input.subarray(0, rows * this.outputSize));
  }

  backward(
    engine: Engine,
    _input: Float32Array,
    _output: Float32Array,
    mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
  ): void {
    if (!mask) return;
    engine.dropoutBackward(gradOutput, mask, rows * this.outputSize);
    if (gradInput && gradInput !== gradOutput) gradInput.set(gradOutput);
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), rate: this.rate };
  }
}

/** `dropout(0.2)` as Keras's `Dropout(0.2)`, or `dropout({ rate: 0.2 })`. */
export function dropout(rate: number, options?: KerasSpelled<Omit<DropoutOptions, 'rate'>>): Dropout;
export function dropout(options: KerasSpelled<DropoutOptions>): Dropout;
export function dropout(rateOrOptions: number | KerasSpelled<DropoutOptions>, options?: KerasSpelled<Omit<DropoutOptions, 'rate'>>): Dropout {
  return new Dropout(rateOrOptions as number, options);
}
