import type { KerasSpelled } from '../naming.js';
import { FALSE_POSITIVES, type ThresholdOptions } from './confusion-counts.js';
import { ThresholdRatioMetric } from './threshold-ratio.js';

/** Keras's Precision(): true positives / (true positives + false positives); see ThresholdRatioMetric. */
export class Precision extends ThresholdRatioMetric {
  readonly className = 'Precision';

  constructor(options: KerasSpelled<ThresholdOptions> = {}) {
    super(options, 'precision()', 'precision', FALSE_POSITIVES);
  }
}

export function precision(options: KerasSpelled<ThresholdOptions> = {}): Precision {
  return new Precision(options);
}
