import { z } from 'zod';
import { parseOptions } from '../validation.js';
import type { Callback, CallbackModel, Logs, TrainingParams } from './callback.js';
import { checkMonitor, monitorDirection } from './monitor.js';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** The rate is multiplied by this (Keras's default 0.1). */
  factor?: number;
  patience?: number;
  verbose?: 0 | 1;
  mode?: 'auto' | 'min' | 'max';
  minDelta?: number;
  /** Epochs to wait after a reduction before watching again. */
  cooldown?: number;
  minLr?: number;
}

const nonNegativeInteger = z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer');
const schema = z.strictObject({
  monitor: z.string().optional(),
  factor: z.number('must be a number in (0, 1)').gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)').optional(),
  patience: nonNegativeInteger.optional(),
  verbose: z.union([z.literal(0), z.literal(1)], 'must be 0 or 1').optional(),
  mode: z.enum(['auto', 'min', 'max']).optional(),
  minDelta: z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number').optional(),
  cooldown: nonNegativeInteger.optional(),
  minLr: z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number').optional(),
});

/**
 * Keras's ReduceLROnPlateau: when the monitored value has not improved by more than minDelta for
 * `patience` epochs, the learning rate is multiplied by `factor` (not below minLr), then nothing
 * is watched for `cooldown` epochs. Keras's defaults: val_loss, 0.1, 10, 1e-4, 0, 0.
 */
export class ReduceLROnPlateau implements Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly direction: 'min' | 'max';
  private readonly verbose: 0 | 1;
  private model: CallbackModel | undefined;
  private wait = 0;
  private cooldownLeft = 0;
  private best = Infinity;

  constructor(
    options: ReduceLROnPlateauOptions = {},
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    const parsed = parseOptions(schema, options, 'reduceLROnPlateau()');
    this.monitor = parsed.monitor ?? 'val_loss';
    this.factor = parsed.factor ?? 0.1;
    this.patience = parsed.patience ?? 10;
    this.minDelta = parsed.minDelta ?? 1e-4;
    this.cooldown = parsed.cooldown ?? 0;
    this.minLr = parsed.minLr ?? 0;
    this.verbose = parsed.verbose ?? 0;
    this.direction = monitorDirection(this.monitor, parsed.mode ?? 'auto');
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    checkMonitor('reduceLROnPlateau()', this.monitor, params.metrics);
    if (this.model?.optimizer?.schedule) {
      throw new Error(`reduceLROnPlateau() sets the learning rate, but the optimizer's is a ${this.model.optimizer.schedule.className} schedule: give it a number as learningRate.`);
    }
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.cooldownLeft = 0;
    this.best = Infinity;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = this.model?.optimizer;
    if (!optimizer) return;
    logs.learning_rate = optimizer.learningRate;
    const value = logs[this.monitor];
    if (value === undefined) return;
    const signed = this.direction === 'min' ? value : -value;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (signed < this.best - this.minDelta) {
      this.best = signed;
      this.wait = 0;
    } else if (this.cooldownLeft === 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = optimizer.learningRate;
        if (old > this.minLr) {
          const reduced = Math.max(old * this.factor, this.minLr);
          // A floor of 0 would leave a rate the optimizers refuse; the smallest positive float stands for it.
          optimizer.learningRate = reduced > 0 ? reduced : Number.MIN_VALUE;
          if (this.verbose) this.print(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${optimizer.learningRate}.`);
          this.cooldownLeft = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}
