import { z } from 'zod';
import type { AugmentSettings } from '../engine/engine.js';
import { parseOptions } from '../validation.js';
import { augmentationBaseSchema, factorIn, ImageAugmentation, NO_AUGMENTATION, type AugmentationBaseOptions } from './image-augmentation.js';

export interface RandomTranslationOptions extends AugmentationBaseOptions {
  /** Each image shifts by a uniform [-heightFactor, heightFactor] of its height... */
  heightFactor: number;
  /** ...and [-widthFactor, widthFactor] of its width. */
  widthFactor: number;
}

const schema = z.strictObject({ heightFactor: factorIn(1), widthFactor: factorIn(1), ...augmentationBaseSchema });

/** Keras's RandomTranslation (fill_mode="constant", fill_value=0, bilinear), in training only. */
export class RandomTranslation extends ImageAugmentation {
  readonly className = 'RandomTranslation';
  readonly heightFactor: number;
  readonly widthFactor: number;
  private readonly augment: AugmentSettings;

  constructor(options: RandomTranslationOptions) {
    const parsed = parseOptions(schema, options, 'randomTranslation()');
    super(parsed.name, parsed.inputShape);
    this.heightFactor = parsed.heightFactor;
    this.widthFactor = parsed.widthFactor;
    this.augment = { ...NO_AUGMENTATION, translateHeight: parsed.heightFactor, translateWidth: parsed.widthFactor };
  }

  protected get settings(): AugmentSettings {
    return this.augment;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.augmentationConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export function randomTranslation(options: RandomTranslationOptions): RandomTranslation {
  return new RandomTranslation(options);
}
