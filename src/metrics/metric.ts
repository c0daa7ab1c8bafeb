import { describeCall, inspectCustom } from '../describe.js';

/**
 * One batch as a metric reads it, filled in place by the trainer after each step (never
 * reallocated): the model's output and the batch's targets, `rows` samples of `classes` values.
 */
export interface MetricBatch {
  /** rows × classes: class probabilities for a softmax model, else the last layer's output. */
  predictions: Float32Array;
  /** One class per sample when the loss takes labels (sparse), else null. */
  labels: Int32Array | null;
  /** rows × classes targets (one-hot for the categorical losses) when the loss does not take labels, else null. */
  targets: Float32Array | null;
  rows: number;
  classes: number;
  /** Samples whose most probable class is the true one, counted by the loss kernel in this batch. */
  correct: number;
}

/** A metric's serialized form, as a saved model's compile config holds it. */
export interface MetricConfig {
  className: string;
  config: Record<string, unknown>;
}

/** Which targets a metric reads: class labels (sparse losses), rows (one-hot), or either. */
export type MetricTargets = 'labels' | 'rows' | 'either';

/**
 * A running metric, as Keras's Metric: state reset at each epoch (and each evaluation), updated
 * after every batch, and a result at any point. State is allocated in the constructor or build,
 * never in update, which runs inside the training step.
 */
export abstract class Metric {
  abstract readonly className: string;
  /** Whether a larger value is better, so earlyStopping's mode 'auto' knows which way to watch. */
  abstract readonly direction: 'max' | 'min';
  /** The targets it can read; compile refuses it with a loss whose targets are the other kind. */
  readonly targets: MetricTargets = 'either';
  /** Whether it compares classes, which needs a last layer with at least two units. */
  readonly comparesClasses: boolean = true;

  /** The name the logs, History and evaluate use (and val_NAME for validation). */
  constructor(readonly name: string) {}

  /** Sizes per-class state for this many classes; called before a pass, outside the step. */
  build(_classes: number): void {}

  abstract reset(): void;

  abstract update(batch: MetricBatch): void;

  /** The value over everything seen since reset (0 before any sample). */
  abstract result(): number;

  /** The options that rebuild it, name included. */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  serialize(): MetricConfig {
    return { className: this.className, config: this.getConfig() };
  }

  toString(): string {
    return describeCall(this.className, this.getConfig());
  }

  [inspectCustom](): string {
    return this.toString();
  }
}

/** The true class of a row: its label, or the first largest of its target row (Keras's argmax). */
export function trueClass(batch: MetricBatch, row: number): number {
  if (batch.labels) return batch.labels[row]!;
  return argmaxRow(batch.targets!, row * batch.classes, batch.classes);
}

/** The target of (row, column): 1 or 0 for a label, else the target row's value. */
export function targetValue(batch: MetricBatch, row: number, column: number): number {
  if (batch.labels) return batch.labels[row] === column ? 1 : 0;
  return batch.targets![row * batch.classes + column]!;
}

/** The first largest value's index in values[offset .. offset + width). */
export function argmaxRow(values: Float32Array, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  return best;
}

/** Division that gives 0 for 0/0, as Keras's divide_no_nan. */
export function divideNoNan(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
