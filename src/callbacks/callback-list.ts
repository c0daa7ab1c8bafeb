import type { Callback, CallbackModel, Logs, TrainingParams } from './callback.js';

/**
 * The callbacks of one fit, called in order, as Keras's CallbackList. The batch hooks run inside
 * the training loop, so only the callbacks that define them are visited there.
 */
export class CallbackList {
  private readonly batchBeginCallbacks: readonly Callback[];
  private readonly batchEndCallbacks: readonly Callback[];

  constructor(
    private readonly callbacks: readonly Callback[],
    model: CallbackModel,
    params: TrainingParams,
  ) {
    for (const callback of callbacks) {
      callback.setModel?.(model);
      callback.setParams?.(params);
    }
    this.batchBeginCallbacks = callbacks.filter((callback) => callback.onBatchBegin);
    this.batchEndCallbacks = callbacks.filter((callback) => callback.onBatchEnd);
  }

  /** Whether any callback reads the logs after each batch (else fit does not compute them). */
  get wantsBatchLogs(): boolean {
    return this.batchEndCallbacks.length > 0;
  }

  async trainBegin(logs: Logs): Promise<void> {
    for (const callback of this.callbacks) await callback.onTrainBegin?.(logs);
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const callback of this.callbacks) await callback.onTrainEnd?.(logs);
  }

  async epochBegin(epoch: number, logs: Logs): Promise<void> {
    for (const callback of this.callbacks) await callback.onEpochBegin?.(epoch, logs);
  }

  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const callback of this.callbacks) await callback.onEpochEnd?.(epoch, logs);
  }

  batchBegin(batch: number, logs: Logs): void {
    for (let i = 0; i < this.batchBeginCallbacks.length; i++) this.batchBeginCallbacks[i]!.onBatchBegin!(batch, logs);
  }

  batchEnd(batch: number, logs: Logs): void {
    for (let i = 0; i < this.batchEndCallbacks.length; i++) this.batchEndCallbacks[i]!.onBatchEnd!(batch, logs);
  }
}
