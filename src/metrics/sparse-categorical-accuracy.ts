import type { KerasSpelled } from '../naming.js';
import { Accuracy, type MetricOptions } from './accuracy.js';

/** Keras's sparse_categorical_accuracy: the label against argmax of the prediction. */
export class SparseCategoricalAccuracy extends Accuracy {
  override readonly className = 'SparseCategoricalAccuracy';
  override readonly targets = 'labels';

  constructor(options: KerasSpelled<MetricOptions> = {}) {
    super(options, 'sparse_categorical_accuracy', 'sparseCategoricalAccuracy()');
  }
}

export function sparseCategoricalAccuracy(options: KerasSpelled<MetricOptions> = {}): SparseCategoricalAccuracy {
  return new SparseCategoricalAccuracy(options);
}
