import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import { addRegularizationGradient, l1l2, regularizationPenalty, type Regularizer } from '../regularizers/regularizers.js';
import { parseOptions, shape } from '../validation.js';
import { baseConfig, Layer } from './layer.js';

export interface ActivityRegularizationOptions {
  l1?: number;
  l2?: number;
  inputShape?: readonly number[];
  name?: string;
}

const factor = z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number');
const schema = z.strictObject({ l1: factor.optional(), l2: factor.optional(), inputShape: shape.optional(), name: z.string().optional() });

/**
 * Keras's ActivityRegularization: passes its input through and adds (l1 · Σ|x| + l2 · Σx²) / batch
 * size to the loss (Keras 3 divides activity penalties by the batch size), in training and evaluation.
 */
export class ActivityRegularization extends Layer {
  readonly className = 'ActivityRegularization';
  readonly regularizer: Regularizer;
  private lastPenalty = 0;

  constructor(options: ActivityRegularizationOptions = {}) {
    const parsed = parseOptions(schema, options, 'activityRegularization()');
    super(parsed.name, parsed.inputShape);
    this.regularizer = l1l2({ l1: parsed.l1 ?? 0, l2: parsed.l2 ?? 0 });
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    return inputShape;
  }

  // The output is the input itself: the buffer is shared and the gradient computed in place.
  override get outputIsInput(): boolean {
    return true;
  }

  override get hasPenalty(): boolean {
    return true;
  }

  override penalty(): number {
    return this.lastPenalty;
  }

  forward(_engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number): void {
    const count = rows * this.outputSize;
    if (output !== input) output.set(input.subarray(0, count));
    this.lastPenalty = regularizationPenalty(this.regularizer, input, count) / rows;
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
    const count = rows * this.outputSize;
    addRegularizationGradient(this.regularizer, input, gradOutput, count, 1 / rows);
    if (gradInput && gradInput !== gradOutput) gradInput.set(gradOutput.subarray(0, count));
  }

  getConfig(): Record<string, unknown> {
    return { ...baseConfig(this), l1: this.regularizer.l1, l2: this.regularizer.l2 };
  }
}

export function activityRegularization(options: ActivityRegularizationOptions = {}): ActivityRegularization {
  return new ActivityRegularization(options);
}
