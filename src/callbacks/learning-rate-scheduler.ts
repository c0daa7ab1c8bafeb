import type { Callback, CallbackModel, Logs } from './callback.js';

/** Keras's LearningRateScheduler: schedule(epoch, currentRate) gives each epoch's learning rate. */
export class LearningRateScheduler implements Callback {
  private model: CallbackModel | undefined;

  constructor(
    private readonly schedule: (epoch: number, learningRate: number) => number,
    private readonly verbose: 0 | 1 = 0,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    if (typeof schedule !== 'function') throw new Error(`learningRateScheduler(): schedule must be a function (epoch, learningRate) => learningRate; got ${typeof schedule}.`);
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    const optimizer = this.model?.optimizer;
    if (!optimizer) return;
    const rate = this.schedule(epoch, optimizer.learningRate);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new Error(`learningRateScheduler(): the schedule returned ${String(rate)} for epoch ${epoch}; it must return a positive number.`);
    }
    optimizer.learningRate = rate;
    if (this.verbose) this.print(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${rate}.`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.model?.optimizer) logs.learning_rate = this.model.optimizer.learningRate;
  }
}

export function learningRateScheduler(schedule: (epoch: number, learningRate: number) => number, verbose: 0 | 1 = 0): LearningRateScheduler {
  return new LearningRateScheduler(schedule, verbose);
}
