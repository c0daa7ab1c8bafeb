import { camelFromSnake, type SnakeCase } from '../naming.js';
import type { Random } from '../random/rng.js';

/** Weight initializers, by Keras's names in TypeScript spelling. */
export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'zeros' | 'ones';

/** What a layer takes: an InitializerName, or Keras's spelling of it ('glorot_uniform'). */
export type InitializerIdentifier = InitializerName | SnakeCase<InitializerName>;

export const INITIALIZER_NAMES: readonly InitializerName[] = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'zeros', 'ones'];

// Keras's truncated normal keeps values within two standard deviations; dividing by this constant
// (the standard deviation of a unit normal truncated to [-2, 2]) restores the intended variance.
const TRUNCATED_NORMAL_CORRECTION = 0.8796256610342398;

/** Accepts Keras's snake_case spelling too ('glorot_uniform'), so configs copied from Python work. */
export function parseInitializer(name: string, what: string): InitializerName {
  const camel = camelFromSnake(name);
  if ((INITIALIZER_NAMES as readonly string[]).includes(camel)) return camel as InitializerName;
  throw new Error(`Unknown ${what} "${name}": allowed are ${INITIALIZER_NAMES.join(', ')}.`);
}

/** Fills `values` for a weight with the given fan-in and fan-out. */
export function initialize(name: InitializerName, values: Float32Array, fanIn: number, fanOut: number, random: Random): void {
  switch (name) {
    case 'zeros':
      values.fill(0);
      return;
    case 'ones':
      values.fill(1);
      return;
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = random.uniform(-limit, limit);
      return;
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      for (let i = 0; i < values.length; i++) values[i] = random.uniform(-limit, limit);
      return;
    }
    case 'glorotNormal':
      fillTruncatedNormal(values, Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATED_NORMAL_CORRECTION, random);
      return;
    case 'heNormal':
      fillTruncatedNormal(values, Math.sqrt(2 / fanIn) / TRUNCATED_NORMAL_CORRECTION, random);
      return;
  }
}

function fillTruncatedNormal(values: Float32Array, standardDeviation: number, random: Random): void {
  for (let i = 0; i < values.length; i++) {
    let sample = random.normal();
    while (Math.abs(sample) > 2) sample = random.normal();
    values[i] = sample * standardDeviation;
  }
}
