import { z } from 'zod';
import type { AugmentSettings } from '../engine/engine.js';
import { parseOptions } from '../validation.js';
import { augmentationBaseSchema, factorIn, ImageAugmentation, NO_AUGMENTATION, type AugmentationBaseOptions } from './image-augmentation.js';

export interface RandomZoomOptions extends AugmentationBaseOptions {
  /** Each image is scaled by 1 + a uniform draw in [-heightFactor, heightFactor]; positive zooms out, as Keras. */
  heightFactor: number;
  /** The width's own factor; left out, the height's draw is used, keeping the aspect (Keras's width_factor=None). */
  widthFactor?: number;
}

const schema = z.strictObject({ heightFactor: factorIn(0.9), widthFactor: factorIn(0.9).optional(), ...augmentationBaseSchema });

/** Keras's RandomZoom (fill_mode="constant", fill_value=0, bilinear), in training only. */
export class RandomZoom extends ImageAugmentation {
  readonly className = 'RandomZoom';
  readonly heightFactor: number;
  readonly widthFactor: number | undefined;
  private readonly augment: AugmentSettings;

  constructor(options: RandomZoomOptions) {
    const parsed = parseOptions(schema, options, 'randomZoom()');
    super(parsed.name, parsed.inputShape);
    this.heightFactor = parsed.heightFactor;
    this.widthFactor = parsed.widthFactor;
    this.augment = { ...NO_AUGMENTATION, zoomHeight: parsed.heightFactor, zoomWidth: parsed.widthFactor ?? -1 };
  }

  protected get settings(): AugmentSettings {
    return this.augment;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.augmentationConfig(), heightFactor: this.heightFactor, ...(this.widthFactor === undefined ? {} : { widthFactor: this.widthFactor }) };
  }
}

export function randomZoom(options: RandomZoomOptions): RandomZoom {
  return new RandomZoom(options);
}
