import type { KerasSpelled } from '../naming.js';
import { FALSE_NEGATIVES, type ThresholdOptions } from './confusion-counts.js';
import { ThresholdRatioMetric } from './threshold-ratio.js';

/** Keras's Recall(): true positives / (true positives + false negatives); see ThresholdRatioMetric. */
export class Recall extends ThresholdRatioMetric {
  readonly className = 'Recall';

  constructor(options: KerasSpelled<ThresholdOptions> = {}) {
    super(options, 'recall()', 'recall', FALSE_NEGATIVES);
  }
}

export function recall(options: KerasSpelled<ThresholdOptions> = {}): Recall {
  return new Recall(options);
}
