import type { Random } from '../random/rng.js';

/** 0, 1, …, count-1: the order of samples when nothing is shuffled. */
export function identityIndices(count: number, offset = 0): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = offset + i;
  return indices;
}

/**
 * The batches of one epoch, as Keras's EpochIterator: the order of the samples (reshuffled at
 * each epoch's start when asked) and where each step's batch starts and ends in it. Batches are
 * read through `indices`, so nothing is copied or allocated per step; the last batch holds the
 * remainder, as in Keras.
 */
export class EpochIterator {
  /** indices[start .. start + rows) are the samples of a step's batch. */
  readonly indices: Uint32Array;
  /** Batches per epoch. */
  readonly steps: number;

  constructor(
    readonly count: number,
    readonly batchSize: number,
    private readonly shuffle: boolean,
    private readonly random: Random,
  ) {
    this.indices = identityIndices(count);
    this.steps = Math.ceil(count / batchSize);
  }

  /** Called once at each epoch's start: a new order of the samples when shuffling. */
  beginEpoch(): void {
    if (this.shuffle) this.random.shuffle(this.indices);
  }

  /** Where step's batch starts in `indices`. */
  batchStart(step: number): number {
    return step * this.batchSize;
  }

  /** How many samples step's batch holds. */
  batchRows(step: number): number {
    return Math.min(this.batchSize, this.count - step * this.batchSize);
  }
}
