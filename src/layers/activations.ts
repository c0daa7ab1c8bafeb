import { ACTIVATION_NAMES, type ActivationName } from '../engine/engine.js';

export type { ActivationName };

/** Keras's other spellings: the camelCase names of the API and Keras's aliases (swish is silu). */
const ALIASES: Readonly<Record<string, ActivationName>> = {
  leakyRelu: 'leaky_relu',
  swish: 'silu',
  hardSigmoid: 'hard_sigmoid',
};

export function parseActivation(name: string | undefined | null): ActivationName {
  if (name === undefined || name === null) return 'linear';
  if ((ACTIVATION_NAMES as readonly string[]).includes(name)) return name as ActivationName;
  const alias = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
  if (alias) return alias;
  throw new Error(`Unknown activation "${name}": allowed are ${[...ACTIVATION_NAMES, ...Object.keys(ALIASES)].join(', ')}.`);
}
