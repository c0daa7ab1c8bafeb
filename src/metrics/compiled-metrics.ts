import type { Logs } from '../callbacks/callback.js';
import type { Metric, MetricBatch } from './metric.js';

/**
 * The compiled metrics of one fit or evaluate, as Keras's CompileMetrics: reset at each epoch,
 * updated after every batch from the batch's predictions and targets, and written into the logs
 * under their names (val_NAME for validation). The batch view and the log keys are made once, so
 * a step allocates nothing here.
 */
export class CompiledMetrics {
  private readonly batch: MetricBatch;
  private readonly validationNames: readonly string[];

  constructor(
    readonly metrics: readonly Metric[],
    classes: number,
  ) {
    for (const metric of metrics) metric.build(classes);
    this.batch = { predictions: new Float32Array(0), labels: null, targets: null, rows: 0, classes, correct: 0 };
    this.validationNames = metrics.map((metric) => `val_${metric.name}`);
  }

  /** The names the logs hold after loss (and, with validation, after val_loss). */
  get names(): string[] {
    return this.metrics.map((metric) => metric.name);
  }

  reset(): void {
    for (let i = 0; i < this.metrics.length; i++) this.metrics[i]!.reset();
  }

  /** One batch's output and targets; `correct` is the loss kernel's count of argmax matches in it. */
  update(predictions: Float32Array, labels: Int32Array | null, targets: Float32Array | null, rows: number, correct: number): void {
    const batch = this.batch;
    batch.predictions = predictions;
    batch.labels = labels;
    batch.targets = targets;
    batch.rows = rows;
    batch.correct = correct;
    for (let i = 0; i < this.metrics.length; i++) this.metrics[i]!.update(batch);
  }

  /** Writes each metric's result so far into logs (as val_NAME when `validation`). */
  writeResults(logs: Logs, validation = false): void {
    const names = validation ? this.validationNames : null;
    for (let i = 0; i < this.metrics.length; i++) {
      const metric = this.metrics[i]!;
      logs[names ? names[i]! : metric.name] = metric.result();
    }
  }
}
