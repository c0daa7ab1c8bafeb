import type { Weight } from '../layers/layer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { RandomState } from '../random/rng.js';

/** Metric values by name, as Keras's `logs`: loss, accuracy, val_loss, val_accuracy. */
export type Logs = Record<string, number>;

/** What a callback may do to the model being trained. */
export interface CallbackModel {
  stopTraining: boolean;
  readonly weights: readonly Weight[];
  /** Its learningRate can be read and, unless it is a schedule, set (reduceLROnPlateau). */
  readonly optimizer: Optimizer | undefined;
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
  save(path: string, options?: { includeOptimizer?: boolean }): void;
}

/**
 * Where the training loop is, with all it needs to continue exactly from there: what
 * backupAndRestore writes and reads back. The model's weights and optimizer state are apart.
 */
export interface LoopSnapshot {
  /** The epoch (from 0) and batch (from 0) that run next. */
  epoch: number;
  batch: number;
  /** The order of the samples, which each epoch shuffles further in place. */
  order: Uint32Array;
  /** The stream the shuffles and dropout seeds are drawn from. */
  random: RandomState;
  /** The epoch's running loss sum, correct count and samples seen so far (for its logs). */
  lossSum: number;
  correct: number;
  seen: number;
}

/** The loop of one fit, for callbacks that back it up and resume it. */
export interface ResumableLoop {
  snapshot(): LoopSnapshot;
  /** Continue from this point instead of the start; call it from onTrainBegin. */
  resume(snapshot: LoopSnapshot): void;
}

/** What fit tells callbacks before training (Keras's `params`). */
export interface TrainingParams {
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  samples: number;
  verbose: 0 | 1 | 2;
  /** The names each epoch's logs will hold, e.g. loss, accuracy, val_loss, val_accuracy (Keras 2's params['metrics']). */
  metrics: readonly string[];
  /** Which way each logged metric improves ('max' for accuracy, 'min' for loss and mae), for mode 'auto'. */
  metricDirections?: Readonly<Record<string, 'min' | 'max'>>;
}

/**
 * Hooks into `fit`, as Keras's Callback. Epoch and train hooks may be async; batch hooks are
 * called synchronously inside the training loop with a logs object that is reused between
 * batches (copy it to keep it).
 */
export interface Callback {
  setModel?(model: CallbackModel): void;
  setParams?(params: TrainingParams): void;
  /** Gives the fit's loop, to callbacks that back it up (backupAndRestore). */
  setLoop?(loop: ResumableLoop): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void;
  onBatchEnd?(batch: number, logs: Logs): void;
}
