import { z } from 'zod';
import type { AugmentSettings } from '../engine/engine.js';
import { parseOptions } from '../validation.js';
import { augmentationBaseSchema, factorIn, ImageAugmentation, NO_AUGMENTATION, type AugmentationBaseOptions } from './image-augmentation.js';

export interface RandomRotationOptions extends AugmentationBaseOptions {
  /** Keras's factor: a fraction of a full turn; each image turns by a uniform angle in [-factor, factor] · 2π. */
  factor: number;
}

const schema = z.strictObject({ factor: factorIn(1), ...augmentationBaseSchema });

/** Keras's RandomRotation (fill_mode="constant", fill_value=0, bilinear), in training only. */
export class RandomRotation extends ImageAugmentation {
  readonly className = 'RandomRotation';
  readonly factor: number;
  private readonly augment: AugmentSettings;

  constructor(options: RandomRotationOptions) {
    const parsed = parseOptions(schema, options, 'randomRotation()');
    super(parsed.name, parsed.inputShape);
    this.factor = parsed.factor;
    this.augment = { ...NO_AUGMENTATION, rotation: parsed.factor * 2 * Math.PI };
  }

  protected get settings(): AugmentSettings {
    return this.augment;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.augmentationConfig(), factor: this.factor };
  }
}

export function randomRotation(options: RandomRotationOptions): RandomRotation {
  return new RandomRotation(options);
}
