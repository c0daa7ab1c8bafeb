import type { Callback, CallbackModel, Logs } from './callback.js';

/** Keras's TerminateOnNaN: stops training after the first batch whose running loss is NaN or infinite. */
export class TerminateOnNaN implements Callback {
  /** The batch (from 0) at which training was stopped, if it was. */
  stoppedBatch: number | undefined;
  private model: CallbackModel | undefined;

  constructor(private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss) && this.model) {
      this.stoppedBatch = batch;
      this.model.stopTraining = true;
      this.print(`Batch ${batch}: Invalid loss, terminating training`);
    }
  }
}

export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
