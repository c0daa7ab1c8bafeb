import { z } from 'zod';
import { parseOptions } from '../validation.js';
import type { Callback, CallbackModel, Logs, TrainingParams } from './callback.js';
import { checkMonitor, monitorDirection } from './monitor.js';

export interface ModelCheckpointOptions {
  monitor?: string;
  verbose?: 0 | 1;
  /** Save only when the monitored value is the best so far. */
  saveBestOnly?: boolean;
  /** Leave the optimizer's state out of the file. */
  saveWeightsOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** 'epoch' (at each epoch's end) or every this many batches. */
  saveFreq?: 'epoch' | number;
  /** With saveBestOnly, a value the first saved model must beat. */
  initialValueThreshold?: number;
}

const schema = z.strictObject({
  monitor: z.string().optional(),
  verbose: z.union([z.literal(0), z.literal(1)], 'must be 0 or 1').optional(),
  saveBestOnly: z.boolean().optional(),
  saveWeightsOnly: z.boolean().optional(),
  mode: z.enum(['auto', 'min', 'max']).optional(),
  saveFreq: z.custom<'epoch' | number>((value) => value === 'epoch' || (Number.isInteger(value) && (value as number) > 0), 'must be "epoch" or a positive integer').optional(),
  initialValueThreshold: z.number('must be a finite number').finite('must be a finite number').optional(),
});

const FIELD = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/**
 * Fills Python-style fields as Keras does for checkpoint paths: {epoch} (counted from 1),
 * {epoch:02d}, {val_loss:.4f}, {loss:.2e}, and any other name the logs hold.
 */
export function formatFilepath(template: string, values: Logs): string {
  return template.replace(FIELD, (_field, name: string, spec: string | undefined) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`modelCheckpoint(): filepath names {${name}}, which the logs do not hold; available are ${Object.keys(values).join(', ')}.`);
    }
    if (!spec) return String(value);
    const integer = /^(0?)(\d*)d$/.exec(spec);
    if (integer) return String(Math.trunc(value)).padStart(Number(integer[2] || 0), integer[1] ? '0' : ' ');
    const fixed = /^\.(\d+)f$/.exec(spec);
    if (fixed) return value.toFixed(Number(fixed[1]));
    const exponent = /^\.(\d+)e$/.exec(spec);
    if (exponent) return value.toExponential(Number(exponent[1])).replace(/e([+-])(\d)$/, 'e$10$2');
    throw new Error(`modelCheckpoint(): filepath field {${name}:${spec}} has a format digitnet does not know: use d, 0Nd, .Nf or .Ne.`);
  });
}

/**
 * Keras's ModelCheckpoint: saves the model (model.save, atomically) at each epoch's end or every
 * saveFreq batches, to a path that may name the epoch and the logs; with saveBestOnly only when
 * the monitored value improves.
 */
export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly direction: 'min' | 'max';
  /** The paths written, in order. */
  readonly saved: string[] = [];
  private readonly verbose: 0 | 1;
  private best: number;
  private model: CallbackModel | undefined;
  private epoch = 0;
  private batchesSinceSave = 0;

  constructor(
    readonly filepath: string,
    options: ModelCheckpointOptions = {},
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    if (typeof filepath !== 'string' || filepath === '') throw new Error(`modelCheckpoint(): filepath must be a file path; got ${JSON.stringify(filepath)}.`);
    const parsed = parseOptions(schema, options, 'modelCheckpoint()');
    this.monitor = parsed.monitor ?? 'val_loss';
    this.saveBestOnly = parsed.saveBestOnly ?? false;
    this.saveWeightsOnly = parsed.saveWeightsOnly ?? false;
    this.saveFreq = parsed.saveFreq ?? 'epoch';
    this.verbose = parsed.verbose ?? 0;
    this.direction = monitorDirection(this.monitor, parsed.mode ?? 'auto');
    const threshold = parsed.initialValueThreshold;
    this.best = threshold === undefined ? Infinity : this.direction === 'min' ? threshold : -threshold;
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    if (this.saveBestOnly && this.saveFreq === 'epoch') checkMonitor('modelCheckpoint()', this.monitor, params.metrics);
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    this.save({ ...logs, epoch: this.epoch + 1, batch });
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    if (this.saveFreq === 'epoch') this.save({ ...logs, epoch: epoch + 1 });
  }

  private save(values: Logs): void {
    const model = this.model;
    if (!model) return;
    const path = formatFilepath(this.filepath, values);
    if (this.saveBestOnly) {
      const value = values[this.monitor];
      if (value === undefined) return;
      const signed = this.direction === 'min' ? value : -value;
      if (!(signed < this.best)) {
        if (this.verbose) this.print(`Epoch ${values.epoch}: ${this.monitor} did not improve from ${this.direction === 'min' ? this.best : -this.best}`);
        return;
      }
      if (this.verbose) this.print(`Epoch ${values.epoch}: ${this.monitor} improved from ${this.direction === 'min' ? this.best : -this.best} to ${value}, saving model to ${path}`);
      this.best = signed;
    } else if (this.verbose) {
      this.print(`Epoch ${values.epoch}: saving model to ${path}`);
    }
    model.save(path, { includeOptimizer: !this.saveWeightsOnly });
    this.saved.push(path);
  }
}

export function modelCheckpoint(filepath: string, options: ModelCheckpointOptions = {}): ModelCheckpoint {
  return new ModelCheckpoint(filepath, options);
}
