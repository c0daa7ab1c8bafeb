import type { LoopSnapshot, ResumableLoop } from '../callbacks/callback.js';
import { STAT_CORRECT, STAT_LOSS_SUM } from '../engine/engine.js';
import type { Random } from '../random/rng.js';
import type { EpochIterator } from './epoch-iterator.js';
import type { Workspace } from './workspace.js';

/**
 * The position of one fit — the next epoch and batch, the samples seen in this epoch — with its
 * sample order, random stream and running sums, so that it can be written down and resumed
 * exactly (backupAndRestore). The trainer advances it as it goes.
 */
export class FitLoop implements ResumableLoop {
  epoch: number;
  batch = 0;
  seen = 0;

  constructor(
    initialEpoch: number,
    private readonly iterator: EpochIterator,
    private readonly random: Random,
    private readonly workspace: Workspace,
  ) {
    this.epoch = initialEpoch;
  }

  snapshot(): LoopSnapshot {
    const stats = this.workspace.stats;
    return {
      epoch: this.epoch,
      batch: this.batch,
      order: this.iterator.indices.slice(),
      random: this.random.getState(),
      lossSum: stats[STAT_LOSS_SUM]!,
      correct: stats[STAT_CORRECT]!,
      seen: this.seen,
    };
  }

  resume(snapshot: LoopSnapshot): void {
    const { iterator } = this;
    if (snapshot.order.length !== iterator.count || snapshot.batch > iterator.steps) {
      throw new Error(
        `Cannot resume: the backup is of a fit over ${snapshot.order.length} samples (at batch ${snapshot.batch}) but this fit trains on ${iterator.count} in ${iterator.steps} batches; give the same data and batchSize, or another backupDir.`,
      );
    }
    iterator.indices.set(snapshot.order);
    this.random.setState(snapshot.random);
    this.epoch = snapshot.epoch;
    this.batch = snapshot.batch;
    this.seen = snapshot.seen;
    this.workspace.stats[STAT_LOSS_SUM] = snapshot.lossSum;
    this.workspace.stats[STAT_CORRECT] = snapshot.correct;
  }
}
