import { Random } from './rng.js';

// The source of seeds for models and fits that are given none, as keras.utils.set_random_seed.
let seedSource = new Random();

/** Makes every later model built and fit run without its own seed reproducible. */
export function setRandomSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`Random seed ${seed} is not allowed: use an integer in 0..4294967295.`);
  }
  seedSource = new Random(seed);
}

/** A seed: the one given, or the next from the global source. */
export function resolveSeed(seed: number | undefined): number {
  return seed ?? seedSource.nextUint32();
}
