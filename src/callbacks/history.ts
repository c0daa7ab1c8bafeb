import type { Callback, Logs } from './callback.js';

/** The per-epoch record `fit` returns, as Keras's History: `history.loss[epoch]` and `history.history.loss`. */
export class History implements Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  get loss(): number[] {
    return this.history.loss ?? [];
  }

  get accuracy(): number[] {
    return this.history.accuracy ?? [];
  }

  get val_loss(): number[] {
    return this.history.val_loss ?? [];
  }

  get val_accuracy(): number[] {
    return this.history.val_accuracy ?? [];
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }

  toJSON(): { epoch: number[] } & Record<string, number[]> {
    return { epoch: [...this.epoch], ...this.history };
  }
}
