/** Metric values by name, as Keras's `logs`: loss, accuracy, val_loss, val_accuracy. */
export type Logs = Record<string, number>;

/** What a callback may do to the model being trained. */
export interface CallbackModel {
  stopTraining: boolean;
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
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
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void;
  onBatchEnd?(batch: number, logs: Logs): void;
}
