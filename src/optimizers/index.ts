import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { deserializeSchedule } from './schedules/index.js';
import { isSerializedSchedule } from './schedules/learning-rate-schedule.js';
import { SGD } from './sgd.js';

export type OptimizerName = 'adam' | 'adamw' | 'nadam' | 'adamax' | 'adagrad' | 'lion' | 'rmsprop' | 'sgd';
/** What compile() takes: an OptimizerName, or Keras's class spelling of it ('Adam', 'AdamW', 'RMSprop', 'SGD', …); case is ignored. */
export type OptimizerIdentifier = OptimizerName | 'Adam' | 'AdamW' | 'Nadam' | 'Adamax' | 'Adagrad' | 'Lion' | 'RMSprop' | 'SGD';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'adamw', 'nadam', 'adamax', 'adagrad', 'lion', 'rmsprop', 'sgd'];

const CONSTRUCTORS: Record<OptimizerName, new (options: Record<string, unknown>) => Optimizer> = {
  adam: Adam,
  adamw: AdamW,
  nadam: Nadam,
  adamax: Adamax,
  adagrad: Adagrad,
  lion: Lion,
  rmsprop: RMSprop,
  sgd: SGD,
};

/** An optimizer from its name (with Keras's defaults) or its saved config, whose learningRate may be a saved schedule. */
export function createOptimizer(name: string, config: Record<string, unknown> = {}): Optimizer {
  const key = name.toLowerCase() as OptimizerName;
  const constructor = Object.hasOwn(CONSTRUCTORS, key) ? CONSTRUCTORS[key] : undefined;
  if (!constructor) throw new Error(`Unknown optimizer "${name}": allowed are ${OPTIMIZER_NAMES.join(', ')}.`);
  const learningRate = config.learningRate;
  return new constructor(isSerializedSchedule(learningRate) ? { ...config, learningRate: deserializeSchedule(learningRate) } : config);
}

export { Adagrad, adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, adam, type AdamOptions } from './adam.js';
export { Adamax, adamax, type AdamaxOptions } from './adamax.js';
export { AdamW, adamw } from './adamw.js';
export { Lion, lion, type LionOptions } from './lion.js';
export { Nadam, nadam, type NadamOptions } from './nadam.js';
export { Optimizer, type BaseOptimizerOptions, type OptimizerConfig } from './optimizer.js';
export { RMSprop, rmsprop, type RmspropOptions } from './rmsprop.js';
export { SGD, sgd, type SgdOptions } from './sgd.js';
