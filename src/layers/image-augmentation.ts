import { z } from 'zod';
import type { AugmentSettings, Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import { shape } from '../validation.js';
import { baseConfig, Layer } from './layer.js';

/** Options every augmentation layer takes besides its own factors. */
export interface AugmentationBaseOptions {
  inputShape?: readonly number[];
  name?: string;
}

export const augmentationBaseSchema = {
  inputShape: shape.optional(),
  name: z.string().optional(),
};

/** A factor in [0, limit], as Keras's preprocessing layers take them. */
export const factorIn = (limit: number) =>
  z.number(`must be a number in [0, ${limit}]`).min(0, `must be in [0, ${limit}]`).max(limit, `must be in [0, ${limit}]`);

export const NO_AUGMENTATION: AugmentSettings = {
  rotation: 0,
  translateHeight: 0,
  translateWidth: 0,
  zoomHeight: 0,
  zoomWidth: 0,
  elasticAlpha: 0,
  elasticSigma: 0,
};

/**
 * Base of the image augmentation layers (Keras's RandomRotation, RandomTranslation, RandomZoom,
 * RandomElasticTransform): in training each image of the batch is warped by its own random draw
 * from the step's seed, computed by the engine (natively, split among threads); at inference the
 * layer passes its input through. Inputs are single-channel images: [height, width],
 * [height, width, 1], or a flat square [height · width].
 *
 * They are preprocessing, placed before any layer with weights: no gradient flows through them
 * (Keras does not differentiate through its augmentation either).
 */
export abstract class ImageAugmentation extends Layer {
  private height = 0;
  private width = 0;

  /** What each image's draw is taken from. */
  protected abstract get settings(): AugmentSettings;

  protected computeOutputShape(inputShape: readonly number[], _random: Random): readonly number[] {
    const [height, width] = imageSize(inputShape, this.name);
    this.height = height;
    this.width = width;
    return inputShape;
  }

  override get identityAtInference(): boolean {
    return true;
  }

  // It takes one seed from the random stream per training step, as dropout does (the mask buffer
  // goes unused: the trainer hands seeds to layers that declare a mask).
  override get needsMask(): boolean {
    return true;
  }

  forward(engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number, training: boolean, seed: number): void {
    if (output === input) return;
    if (training) engine.augmentImages(input, output, rows, this.height, this.width, this.settings, seed);
    else output.set(input.subarray(0, rows * this.outputSize));
  }

  backward(): void {
    throw new Error(
      `Augmentation layer "${this.name}" cannot pass a gradient back: put it before every layer with weights, as the first layers of the model.`,
    );
  }

  protected augmentationConfig(): Record<string, unknown> {
    return baseConfig(this);
  }
}

/** [height, width] of a single-channel image shape, or one clear sentence saying why it is not one. */
function imageSize(inputShape: readonly number[], layerName: string): [number, number] {
  if (inputShape.length === 2 || (inputShape.length === 3 && inputShape[2] === 1)) return [inputShape[0]!, inputShape[1]!];
  if (inputShape.length === 1) {
    const side = Math.round(Math.sqrt(inputShape[0]!));
    if (side * side === inputShape[0]) return [side, side];
  }
  throw new Error(
    `Augmentation layer "${layerName}" receives shape [${inputShape.join(', ')}]: it needs a single-channel image, [height, width], [height, width, 1] or a flat square such as [784].`,
  );
}
