import type { Callback, Logs } from './callback.js';

/** The per-epoch record `fit` returns, as Keras's History: `history.loss[epoch]` and `history.history.loss`. */
export class History implements Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  get loss(): number[] {
    return this.history.loss ?? [];
  }

  /** Accuracy per epoch, whether the model was compiled with 'accuracy' or Keras's older 'acc'. */
  get accuracy(): number[] {
    return this.history.accuracy ?? this.history.acc ?? [];
  }

  get val_loss(): number[] {
    return this.history.val_loss ?? [];
  }

  get val_accuracy(): number[] {
    return this.history.val_accuracy ?? this.history.val_acc ?? [];
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }

  toJSON(): { epoch: number[] } & Record<string, number[]> {
    return { epoch: [...this.epoch], ...this.history };
  }
}
