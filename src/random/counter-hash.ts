/**
 * A stateless hash of (seed, index) to 32 random bits. Dropout draws its mask from it so that the
 * TypeScript and native engines, and any number of threads, drop exactly the same elements:
 * element i's fate depends only on the step's seed and i, never on the order of evaluation.
 * The native engine implements the same function (native/src/random.h); keep the two in step.
 */
export function dropoutBits(seed: number, index: number): number {
  let x = (seed ^ Math.imul(index, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** Elements whose bits fall below this are dropped. */
export function dropoutThreshold(rate: number): number {
  return Math.min(0xffffffff, Math.floor(rate * 4294967296));
}
