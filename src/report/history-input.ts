/**
 * Reads a training history in any form a user has one: what fit returns (a History), its
 * `.history` record (Keras's `history.history`, without epochs), its toJSON() form, or the
 * plain TrainingHistory the report functions use. The epochs default to 0..n-1, as Keras's.
 */
import { formatValue } from '../validation.js';
import type { TrainingHistory } from './types.js';

/** Epochs and one series per logged name (loss, accuracy, val_loss, ...). */
export interface HistorySeries {
  readonly epoch: readonly number[];
  readonly series: Readonly<Record<string, readonly number[]>>;
}

export type HistoryInput =
  | TrainingHistory
  | { readonly epoch: readonly number[]; readonly history: Readonly<Record<string, readonly number[]>> }
  | Readonly<Record<string, readonly number[]>>;

function isNumberArray(value: unknown): value is readonly number[] {
  return (Array.isArray(value) && value.every((item) => typeof item === 'number')) || value instanceof Float32Array || value instanceof Float64Array;
}

const ALLOWED = 'a History from fit(), its .history record, or { epoch, loss, accuracy, ... } arrays';

export function historySeriesOf(value: unknown, name = 'history'): HistorySeries {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} is ${formatValue(value)}; it must be ${ALLOWED}.`);
  }
  const record = value as Record<string, unknown>;
  // A History (or its JSON with a nested record): the series are under .history.
  const nested = record.history;
  const source = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : record;
  const series: Record<string, readonly number[]> = {};
  for (const [key, entry] of Object.entries(source)) {
    if (key === 'epoch') continue;
    if (!isNumberArray(entry)) {
      throw new TypeError(`${name}.${key} is ${formatValue(entry)}; every series of a history must be an array of numbers, one per epoch.`);
    }
    series[key] = Array.from(entry);
  }
  const names = Object.keys(series);
  if (names.length === 0) throw new RangeError(`${name} holds no series; it must be ${ALLOWED}.`);
  const length = series[names[0]!]!.length;
  for (const key of names) {
    if (series[key]!.length !== length) {
      throw new RangeError(`${name}.${key} has ${series[key]!.length} values but ${name}.${names[0]} has ${length}; there must be one per epoch.`);
    }
  }
  const epochSource = record.epoch ?? source.epoch;
  if (epochSource !== undefined) {
    if (!isNumberArray(epochSource) || epochSource.length !== length) {
      throw new RangeError(`${name}.epoch is ${formatValue(epochSource)}; it must be an array of ${length} epoch numbers, one per value.`);
    }
    return { epoch: Array.from(epochSource), series };
  }
  return { epoch: Array.from({ length }, (_, index) => index), series };
}

/** The loss/accuracy shape the report charts draw; absent accuracy is NaN (not drawn). */
export function trainingHistoryFrom(value: unknown, name = 'history'): TrainingHistory {
  const { epoch, series } = historySeriesOf(value, name);
  const missing = epoch.map(() => Number.NaN);
  return {
    epoch,
    loss: series.loss ?? missing,
    accuracy: series.accuracy ?? series.acc ?? missing,
    ...(series.val_loss ? { val_loss: series.val_loss } : {}),
    ...(series.val_accuracy || series.val_acc ? { val_accuracy: (series.val_accuracy ?? series.val_acc)! } : {}),
  };
}
