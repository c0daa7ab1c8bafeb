import { ACTIVATION_NAMES, type ActivationName } from '../engine/engine.js';

export type { ActivationName };

export function parseActivation(name: string | undefined | null): ActivationName {
  if (name === undefined || name === null) return 'linear';
  if ((ACTIVATION_NAMES as readonly string[]).includes(name)) return name as ActivationName;
  throw new Error(`Unknown activation "${name}": allowed are ${ACTIVATION_NAMES.join(', ')}.`);
}
