import { z } from 'zod';
import type { AugmentSettings } from '../engine/engine.js';
import { parseOptions, positiveNumber } from '../validation.js';
import { augmentationBaseSchema, ImageAugmentation, NO_AUGMENTATION, type AugmentationBaseOptions } from './image-augmentation.js';

export interface RandomElasticTransformOptions extends AugmentationBaseOptions {
  /** Simard et al. (2003)'s α: the displacement's scale in pixels (34 in the paper for MNIST). */
  alpha?: number;
  /** Simard's σ: the Gaussian's width in pixels smoothing the random field (4 in the paper). */
  sigma?: number;
}

const schema = z.strictObject({
  alpha: z.number('must be a number in [0, 1000]').min(0, 'must be in [0, 1000]').max(1000, 'must be in [0, 1000]').optional(),
  sigma: positiveNumber.max(64, 'must be at most 64').optional(),
  ...augmentationBaseSchema,
});

/**
 * The elastic distortion of Simard, Steinkraus & Platt (2003), as Keras 3's RandomElasticTransform:
 * each pixel moves by α times a uniform [-1, 1) random field smoothed by a Gaussian of σ pixels
 * (truncated at 3σ, zero outside the image), sampled bilinearly; in training only. Keras spells its
 * strength as factor/scale; the options here are the paper's α and σ, as the literature quotes them.
 */
export class RandomElasticTransform extends ImageAugmentation {
  readonly className = 'RandomElasticTransform';
  readonly alpha: number;
  readonly sigma: number;
  private readonly augment: AugmentSettings;

  constructor(options: RandomElasticTransformOptions = {}) {
    const parsed = parseOptions(schema, options, 'randomElasticTransform()');
    super(parsed.name, parsed.inputShape);
    this.alpha = parsed.alpha ?? 34;
    this.sigma = parsed.sigma ?? 4;
    this.augment = { ...NO_AUGMENTATION, elasticAlpha: this.alpha, elasticSigma: this.sigma };
  }

  protected get settings(): AugmentSettings {
    return this.augment;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.augmentationConfig(), alpha: this.alpha, sigma: this.sigma };
  }
}

export function randomElasticTransform(options: RandomElasticTransformOptions = {}): RandomElasticTransform {
  return new RandomElasticTransform(options);
}
