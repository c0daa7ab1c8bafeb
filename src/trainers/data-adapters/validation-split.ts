/**
 * Where Keras's validationSplit cuts: samples before the index train, the last fraction
 * validates (taken before any shuffling). Refuses a split that leaves either side empty.
 */
export function validationSplitIndex(count: number, fraction: number, what = 'samples'): number {
  const splitAt = Math.floor(count * (1 - fraction));
  if (splitAt === 0 || splitAt === count) {
    throw new Error(`A validation split of ${fraction} of ${count} ${what} leaves no training or no validation ${what}: use more ${what} or another split.`);
  }
  return splitAt;
}
