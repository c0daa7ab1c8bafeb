import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { dropoutBits } from '../random/counter-hash.js';
import type { Random } from '../random/rng.js';
import { parseOptions, shape } from '../validation.js';
import { baseConfig, Layer } from './layer.js';

export interface GaussianNoiseOptions {
  /** The noise's standard deviation. */
  stddev: number;
  inputShape?: readonly number[];
  name?: string;
}

const schema = z.strictObject({
  stddev: z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number'),
  inputShape: shape.optional(),
  name: z.string().optional(),
});

/**
 * Keras's GaussianNoise: in training adds zero-mean normal noise of `stddev` to every value
 * (Box–Muller over the counter hash of (seed, index), so a seed gives the same noise); at
 * inference passes the input through. Its gradient is the identity.
 */
export class GaussianNoise extends Layer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;

  constructor(options: GaussianNoiseOptions) {
    const parsed = parseOptions(schema, options, 'gaussianNoise()');
    super(parsed.name, parsed.inputShape);
    this.stddev = parsed.stddev;
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

  // One seed per training step from the random stream, as dropout (the mask buffer goes unused).
  override get needsMask(): boolean {
    return true;
  }

  forward(_engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number, training: boolean, seed: number): void {
    if (output === input) return;
    const count = rows * this.outputSize;
    if (!training) {
      output.set(input.subarray(0, count));
      return;
    }
    for (let i = 0; i < count; i += 2) {
      // Two uniforms in (0, 1] and [0, 1) from the hash give two independent normals.
      const u1 = (dropoutBits(seed, i) + 1) / 4294967296;
      const u2 = dropoutBits(seed, i + 1) / 4294967296;
      const radius = this.stddev * Math.sqrt(-2 * Math.log(u1));
      output[i] = input[i]! + radius * Math.cos(2 * Math.PI * u2);
      if (i + 1 < count) output[i + 1] = input[i + 1]! + radius * Math.sin(2 * Math.PI * u2);
    }
  }

  backward(
    _engine: Engine,
    _input: Float32Array,
    _output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
  ): void {
    if (gradInput && gradInput !== gradOutput) gradInput.set(gradOutput.subarray(0, gradInput.length));
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), stddev: this.stddev };
  }
}

export function gaussianNoise(options: GaussianNoiseOptions): GaussianNoise {
  return new GaussianNoise(options);
}
