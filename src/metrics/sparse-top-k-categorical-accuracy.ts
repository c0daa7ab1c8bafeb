import type { KerasSpelled } from '../naming.js';
import { TopKCategoricalAccuracy, type TopKOptions } from './top-k-categorical-accuracy.js';

/** Keras's sparse_top_k_categorical_accuracy: top_k_categorical_accuracy with class labels as targets. */
export class SparseTopKCategoricalAccuracy extends TopKCategoricalAccuracy {
  override readonly className = 'SparseTopKCategoricalAccuracy';
  override readonly targets = 'labels';

  constructor(options: KerasSpelled<TopKOptions> = {}) {
    super(options, 'sparse_top_k_categorical_accuracy', 'sparseTopKCategoricalAccuracy()');
  }
}

export function sparseTopKCategoricalAccuracy(options: KerasSpelled<TopKOptions> = {}): SparseTopKCategoricalAccuracy {
  return new SparseTopKCategoricalAccuracy(options);
}
