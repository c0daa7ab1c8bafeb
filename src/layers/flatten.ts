import { z } from 'zod';
import type { Random } from '../random/rng.js';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, shape } from '../validation.js';
import { baseConfig, Layer, sizeOf } from './layer.js';

export interface FlattenOptions {
  inputShape?: readonly number[];
  name?: string;
}

const flattenSchema = z.strictObject({ inputShape: shape.optional(), name: z.string().optional() });

/** Flattens each sample to one dimension. Data is row-major already, so it only changes the shape. */
export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(options: KerasSpelled<FlattenOptions> = {}) {
    const parsed = parseOptions(flattenSchema, options, 'flatten()');
    super(parsed.name, parsed.inputShape);
  }

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    return [sizeOf(inputShape)];
  }

  override get outputIsInput(): boolean {
    return true;
  }

  forward(): void {}

  backward(): void {}

  getConfig(): Record<string, unknown> {
    return baseConfig(this);
  }
}

export function flatten(options: KerasSpelled<FlattenOptions> = {}): Flatten {
  return new Flatten(options);
}
