import { z } from 'zod';
import { parseOptions } from '../validation.js';
import type { Callback, Logs } from './callback.js';

/** Keras's LambdaCallback: plain functions for any of the hooks. */
export interface LambdaCallbackOptions {
  onEpochBegin?: (epoch: number, logs: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs: Logs) => void;
  onBatchEnd?: (batch: number, logs: Logs) => void;
  onTrainBegin?: (logs: Logs) => void | Promise<void>;
  onTrainEnd?: (logs: Logs) => void | Promise<void>;
}

const hook = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');
const schema = z.strictObject({
  onEpochBegin: hook.optional(),
  onEpochEnd: hook.optional(),
  onBatchBegin: hook.optional(),
  onBatchEnd: hook.optional(),
  onTrainBegin: hook.optional(),
  onTrainEnd: hook.optional(),
});

/** Builds a callback from functions; the hooks not given are left out, so fit skips them. */
export function lambdaCallback(options: LambdaCallbackOptions): Callback {
  parseOptions(schema, options, 'lambdaCallback()');
  const callback: Callback = {};
  if (options.onEpochBegin) callback.onEpochBegin = options.onEpochBegin;
  if (options.onEpochEnd) callback.onEpochEnd = options.onEpochEnd;
  if (options.onBatchBegin) callback.onBatchBegin = options.onBatchBegin;
  if (options.onBatchEnd) callback.onBatchEnd = options.onBatchEnd;
  if (options.onTrainBegin) callback.onTrainBegin = options.onTrainBegin;
  if (options.onTrainEnd) callback.onTrainEnd = options.onTrainEnd;
  return callback;
}
