import { Adam } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

export type OptimizerName = 'adam' | 'rmsprop' | 'sgd';
/** What compile() takes: an OptimizerName, or Keras's class spelling of it ('Adam', 'RMSprop', 'SGD'); case is ignored. */
export type OptimizerIdentifier = OptimizerName | 'Adam' | 'RMSprop' | 'SGD';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'rmsprop', 'sgd'];

/** An optimizer from its name (with Keras's defaults) or its saved config. */
export function createOptimizer(name: string, config: Record<string, unknown> = {}): Optimizer {
  switch (name.toLowerCase()) {
    case 'adam':
      return new Adam(config);
    case 'rmsprop':
      return new RMSprop(config);
    case 'sgd':
      return new SGD(config);
    default:
      throw new Error(`Unknown optimizer "${name}": allowed are ${OPTIMIZER_NAMES.join(', ')}.`);
  }
}

export { Adam, adam } from './adam.js';
export { Optimizer } from './optimizer.js';
export { RMSprop, rmsprop } from './rmsprop.js';
export { SGD, sgd } from './sgd.js';
