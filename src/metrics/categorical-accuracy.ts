import type { KerasSpelled } from '../naming.js';
import { Accuracy, type MetricOptions } from './accuracy.js';

/** Keras's categorical_accuracy: argmax of the one-hot target row against argmax of the prediction. */
export class CategoricalAccuracy extends Accuracy {
  override readonly className = 'CategoricalAccuracy';
  override readonly targets = 'rows';

  constructor(options: KerasSpelled<MetricOptions> = {}) {
    super(options, 'categorical_accuracy', 'categoricalAccuracy()');
  }
}

export function categoricalAccuracy(options: KerasSpelled<MetricOptions> = {}): CategoricalAccuracy {
  return new CategoricalAccuracy(options);
}
