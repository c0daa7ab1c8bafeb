import { z } from 'zod';
import { parseOptions } from '../validation.js';
import { LOSS_NAMES, type LossName } from './losses.js';

/** Keras's options on the cross-entropies: fromLogits on both, labelSmoothing on the categorical one. */
export interface LossOptions {
  /** The model outputs logits (its last layer ends 'linear'): softmax is applied inside the loss. */
  fromLogits?: boolean;
  /** Targets become t · (1 - labelSmoothing) + labelSmoothing / classes (categorical cross-entropy only, as Keras). */
  labelSmoothing?: number;
}

/** A loss with its options, as compile() takes it: categoricalCrossentropy({ labelSmoothing: 0.1 }). */
export interface Loss {
  readonly name: LossName;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
}

const crossentropySchema = z.strictObject({
  fromLogits: z.boolean('must be true or false').optional(),
  labelSmoothing: z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').optional(),
});
const sparseSchema = z.strictObject({ fromLogits: z.boolean('must be true or false').optional() });

export function categoricalCrossentropy(options: LossOptions = {}): Loss {
  const parsed = parseOptions(crossentropySchema, options, 'categoricalCrossentropy()');
  return { name: 'categoricalCrossentropy', fromLogits: parsed.fromLogits ?? false, labelSmoothing: parsed.labelSmoothing ?? 0 };
}

/** Keras's SparseCategoricalCrossentropy has no label smoothing: smooth one-hot targets with categoricalCrossentropy. */
export function sparseCategoricalCrossentropy(options: Omit<LossOptions, 'labelSmoothing'> = {}): Loss {
  const parsed = parseOptions(sparseSchema, options, 'sparseCategoricalCrossentropy()');
  return { name: 'sparseCategoricalCrossentropy', fromLogits: parsed.fromLogits ?? false, labelSmoothing: 0 };
}

export function meanSquaredError(): Loss {
  return { name: 'meanSquaredError', fromLogits: false, labelSmoothing: 0 };
}

/** The options a saved compile config carries, or undefined when they are the defaults. */
export function lossOptionsOf(loss: Loss): LossOptions | undefined {
  const options: LossOptions = {};
  if (loss.fromLogits) options.fromLogits = true;
  if (loss.labelSmoothing) options.labelSmoothing = loss.labelSmoothing;
  return Object.keys(options).length > 0 ? options : undefined;
}

/** A loss from its name and saved options. */
export function lossFrom(name: LossName, options: LossOptions = {}): Loss {
  switch (name) {
    case 'categoricalCrossentropy':
      return categoricalCrossentropy(options);
    case 'sparseCategoricalCrossentropy':
      return sparseCategoricalCrossentropy(options);
    case 'meanSquaredError':
      if (Object.keys(options).length > 0) throw new Error(`meanSquaredError takes no options; got ${Object.keys(options).join(', ')}.`);
      return meanSquaredError();
    default:
      throw new Error(`Unknown loss "${String(name)}": allowed are ${LOSS_NAMES.join(', ')}.`);
  }
}

export function isLoss(value: unknown): value is Loss {
  return typeof value === 'object' && value !== null && (LOSS_NAMES as readonly unknown[]).includes((value as Loss).name) && typeof (value as Loss).fromLogits === 'boolean';
}
