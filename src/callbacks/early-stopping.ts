import { z } from 'zod';
import type { KerasSpelled } from '../naming.js';
import { parseOptions } from '../validation.js';
import type { Callback, CallbackModel, Logs, TrainingParams } from './callback.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  restoreBestWeights?: boolean;
  /** A value to beat: until the monitored value does, patience keeps running out. */
  baseline?: number;
  /** Epochs (from 0) to let pass before watching: a warm-up. */
  startFromEpoch?: number;
  verbose?: 0 | 1;
}

const nonNegativeInteger = z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer');

const earlyStoppingSchema = z.strictObject({
  monitor: z.string().optional(),
  minDelta: z.number('must be a finite number').finite('must be a finite number').optional(),
  patience: nonNegativeInteger.optional(),
  baseline: z.number('must be a finite number').finite('must be a finite number').optional(),
  startFromEpoch: nonNegativeInteger.optional(),
  mode: z.enum(['auto', 'min', 'max']).optional(),
  restoreBestWeights: z.boolean().optional(),
  verbose: z.union([z.literal(0), z.literal(1)], 'must be 0 or 1').optional(),
});

/**
 * Stops training when the monitored value stops improving, as Keras's EarlyStopping: after
 * `patience` epochs without an improvement of more than `minDelta`, and, with
 * `restoreBestWeights`, puts back the weights of the best epoch when training ends. With a
 * `baseline`, improvements that do not beat it leave the patience running out.
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  readonly baseline: number | undefined;
  readonly startFromEpoch: number;
  /** Which way the monitored value improves: from mode, or with 'auto' from the metric (its name until fit says). */
  direction: 'min' | 'max';
  private readonly mode: 'auto' | 'min' | 'max';
  private readonly verbose: 0 | 1;
  private model: CallbackModel | undefined;
  private reported: readonly string[] | undefined;
  private wait = 0;
  private best = Infinity;
  private bestWeights: Float32Array[] | undefined;
  /** The epoch (0-based) at which training was stopped, or undefined if it ran to the end. */
  stoppedEpoch: number | undefined;
  /** The epoch (0-based) with the best monitored value. */
  bestEpoch = 0;
  /** Whether the best weights were put back. */
  restored = false;

  constructor(options: KerasSpelled<EarlyStoppingOptions> = {}) {
    const parsed = parseOptions(earlyStoppingSchema, options, 'earlyStopping()');
    this.monitor = parsed.monitor ?? 'val_loss';
    // As Keras: the size of the change counts, whichever sign it was given with.
    this.minDelta = Math.abs(parsed.minDelta ?? 0);
    this.patience = parsed.patience ?? 0;
    this.restoreBestWeights = parsed.restoreBestWeights ?? false;
    this.baseline = parsed.baseline;
    this.startFromEpoch = parsed.startFromEpoch ?? 0;
    this.verbose = parsed.verbose ?? 0;
    this.mode = parsed.mode ?? 'auto';
    this.direction = this.mode !== 'auto' ? this.mode : /acc|auc|precision|recall|f1/.test(this.monitor) ? 'max' : 'min';
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.reported = params.metrics;
    // As Keras 3: mode 'auto' follows the monitored metric's own direction.
    const known = params.metricDirections?.[this.monitor];
    if (this.mode === 'auto' && known) this.direction = known;
  }

  onTrainBegin(): void {
    // Refused before the first epoch rather than after it.
    if (this.reported && !this.reported.includes(this.monitor)) throw new Error(this.unreportedMessage(this.reported));
    this.wait = 0;
    this.best = this.direction === 'min' ? Infinity : -Infinity;
    this.bestWeights = undefined;
    this.stoppedEpoch = undefined;
    this.bestEpoch = 0;
    this.restored = false;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) throw new Error(this.unreportedMessage(Object.keys(logs)));
    if (epoch < this.startFromEpoch) return;
    const model = this.requireModel();
    // As Keras 3: until something improves, the first epoch's weights count as the best.
    if (this.restoreBestWeights && !this.bestWeights) {
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    // As Keras: never stop after the first epoch, however small the patience.
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  /** As Keras 3: the best weights are put back when training ends, stopped early or not. */
  onTrainEnd(): void {
    if (this.stoppedEpoch !== undefined && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.requireModel().setWeights(this.bestWeights);
      this.restored = true;
    }
  }

  private isImprovement(value: number, reference: number): boolean {
    return this.direction === 'min' ? value < reference - this.minDelta : value > reference + this.minDelta;
  }

  private unreportedMessage(available: readonly string[]): string {
    const hint = this.monitor.startsWith('val_') && !available.some((name) => name.startsWith('val_'))
      ? ' (fit() has no validation data: pass validationSplit or validationData)'
      : '';
    return `earlyStopping() monitors "${this.monitor}", which training does not report${hint}; available are ${available.join(', ')}.`;
  }

  private requireModel(): CallbackModel {
    if (!this.model) throw new Error('earlyStopping() was used outside fit: pass it in fit({ callbacks }).');
    return this.model;
  }
}

export function earlyStopping(options: KerasSpelled<EarlyStoppingOptions> = {}): EarlyStopping {
  return new EarlyStopping(options);
}
