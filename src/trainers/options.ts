import { z } from 'zod';
import type { Callback } from '../callbacks/callback.js';
import type { ProgressStream } from '../callbacks/progress-bar.js';
import type { Tensor } from '../data/tensor.js';
import { INFERENCE_PRECISIONS, type InferencePrecision } from '../precision/inference.js';
import { positiveInteger } from '../validation.js';
import type { TargetInput } from './data-adapters/array-data-adapter.js';

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: readonly [Tensor, TargetInput];
  shuffle?: boolean;
  verbose?: 0 | 1 | 2;
  callbacks?: readonly Callback[];
  seed?: number;
  initialEpoch?: number;
  /** Where the progress bar is written (process.stdout by default). */
  progressStream?: ProgressStream;
}

export interface PredictOptions {
  batchSize?: number;
  /**
   * 'int8' multiplies on int8 copies of the dense kernels (see quantize()); 'float32' on the
   * weights themselves. By default int8 once the model is quantized, else float32.
   */
  precision?: InferencePrecision;
  /**
   * 0 (the default) prints nothing; 1 prints Keras's progress bar (live on a terminal while a long
   * pass runs) and its final line, `313/313 [====…] - 1s 2ms/step`; 2 only that final line.
   */
  verbose?: 0 | 1 | 2;
  /** Where the progress bar is written (process.stdout by default). */
  progressStream?: ProgressStream;
}

/** As predict's, and the final line of the bar also shows the loss and every compiled metric. */
export type EvaluateOptions = PredictOptions;

/**
 * What evaluate returns: the loss and every compiled metric under the name its logs use
 * (`acc` for metrics: ['acc'], `f1_score`…). `accuracy`, the share of samples whose most
 * probable class is the right one, is always there, compiled or not, as callers relied on.
 */
export interface Evaluation {
  loss: number;
  accuracy: number;
  /**
   * The same figures in int8 under int8_loss, int8_accuracy, int8_<metric>, when the model is
   * quantized or precision 'int8' was asked for (as fit's validation figures are val_<metric>).
   */
  [metric: string]: number;
}

export const fitSchema = z.strictObject({
  epochs: positiveInteger.optional(),
  batchSize: positiveInteger.optional(),
  validationSplit: z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').optional(),
  validationData: z.tuple([z.custom<Tensor>(), z.custom<TargetInput>()], 'must be [x, y]').optional(),
  shuffle: z.boolean().optional(),
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)], 'must be 0, 1 or 2').optional(),
  callbacks: z.array(z.custom<Callback>((value) => typeof value === 'object' && value !== null)).optional(),
  seed: z
    .number('must be an integer in 0..4294967295')
    .int('must be an integer in 0..4294967295')
    .min(0, 'must be an integer in 0..4294967295')
    .max(0xffffffff, 'must be an integer in 0..4294967295')
    .optional(),
  initialEpoch: z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer').optional(),
  progressStream: z.custom<ProgressStream>((value) => typeof value === 'object' && value !== null && 'write' in value).optional(),
});

const verbose = z.union([z.literal(0), z.literal(1), z.literal(2)], 'must be 0, 1 or 2');
const progressStream = z.custom<ProgressStream>((value) => typeof value === 'object' && value !== null && 'write' in value, 'must be a stream with a write method');

export const evaluateSchema = z.strictObject({
  batchSize: positiveInteger.optional(),
  precision: z.enum(INFERENCE_PRECISIONS, 'must be "float32" or "int8"').optional(),
  verbose: verbose.optional(),
  progressStream: progressStream.optional(),
});
