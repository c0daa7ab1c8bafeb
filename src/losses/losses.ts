import { camelFromSnake, type SnakeCase } from '../naming.js';

/** Loss functions, by Keras's names in TypeScript spelling. The engine computes them (fused with softmax where possible). */
export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';

/** What compile() takes: a LossName, or Keras's spelling of it ('sparse_categorical_crossentropy', 'mse'). */
export type LossIdentifier = LossName | SnakeCase<LossName> | 'mse';

export const LOSS_NAMES: readonly LossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError'];

/** Accepts Keras's snake_case spelling too ('sparse_categorical_crossentropy', 'mse'). */
export function parseLoss(name: string): LossName {
  const aliases: Record<string, LossName> = { mse: 'meanSquaredError' };
  const camel = aliases[name] ?? camelFromSnake(name);
  if ((LOSS_NAMES as readonly string[]).includes(camel)) return camel as LossName;
  throw new Error(`Unknown loss "${name}": allowed are ${LOSS_NAMES.join(', ')}.`);
}

/** Whether the loss takes integer class labels rather than one row of targets per sample. */
export function takesLabels(loss: LossName): boolean {
  return loss === 'sparseCategoricalCrossentropy';
}

export function isCrossentropy(loss: LossName): boolean {
  return loss !== 'meanSquaredError';
}
