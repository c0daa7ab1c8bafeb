import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic-file.js';
import { encodeSafetensors, readSafetensors, type NamedTensor } from '../saving/safetensors.js';
import { parseOptions } from '../validation.js';
import type { Callback, CallbackModel, LoopSnapshot, ResumableLoop } from './callback.js';

export interface BackupAndRestoreOptions {
  /** The folder the backup is kept in while training runs. */
  backupDir: string;
  /** 'epoch' (at each epoch's end) or also every this many batches. */
  saveFreq?: 'epoch' | number;
  /** Remove the backup once training ends (Keras's default). */
  deleteCheckpoint?: boolean;
}

const schema = z.strictObject({
  backupDir: z.string('must be a folder path').min(1, 'must be a folder path'),
  saveFreq: z.custom<'epoch' | number>((value) => value === 'epoch' || (Number.isInteger(value) && (value as number) > 0), 'must be "epoch" or a positive integer').optional(),
  deleteCheckpoint: z.boolean().optional(),
});

const FILE = 'backup.safetensors';
const FORMAT = 'digitnet.backup';
const WEIGHT = 'weight/';
const OPTIMIZER = 'optimizer/';

const loopSchema = z.strictObject({
  epoch: z.number().int().min(0),
  batch: z.number().int().min(0),
  order: z.string(),
  random: z.strictObject({ words: z.tuple([z.number(), z.number(), z.number(), z.number()]), spareNormal: z.number().nullable() }),
  lossSum: z.number(),
  correct: z.number(),
  seen: z.number().int().min(0),
  iterations: z.number().int().min(0),
});

/**
 * Keras's BackupAndRestore: at each epoch's end (and every saveFreq batches if asked) it writes
 * the weights, the optimizer's state, the loop's position, sample order and random stream to
 * backupDir, atomically; a fit started again with the same callback resumes from there, so an
 * interrupted run ends with exactly the weights of an uninterrupted one.
 */
export class BackupAndRestore implements Callback {
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number;
  readonly deleteCheckpoint: boolean;
  /** The epoch and batch the last fit resumed from, if it did. */
  resumedFrom: { epoch: number; batch: number } | undefined;
  private model: CallbackModel | undefined;
  private loop: ResumableLoop | undefined;
  private batchesSinceSave = 0;

  constructor(options: BackupAndRestoreOptions) {
    const parsed = parseOptions(schema, options, 'backupAndRestore()');
    this.backupDir = parsed.backupDir;
    this.saveFreq = parsed.saveFreq ?? 'epoch';
    this.deleteCheckpoint = parsed.deleteCheckpoint ?? true;
  }

  get path(): string {
    return join(this.backupDir, FILE);
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setLoop(loop: ResumableLoop): void {
    this.loop = loop;
  }

  onTrainBegin(): void {
    this.batchesSinceSave = 0;
    this.resumedFrom = undefined;
    if (existsSync(this.path)) this.restore();
  }

  onBatchEnd(): void {
    if (this.saveFreq === 'epoch' || ++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    this.write();
  }

  onEpochEnd(): void {
    this.write();
  }

  onTrainEnd(): void {
    if (this.deleteCheckpoint) rmSync(this.path, { force: true });
  }

  private write(): void {
    const { model, loop } = this;
    if (!model || !loop) return;
    const snapshot = loop.snapshot();
    const optimizer = model.optimizer;
    const tensors: NamedTensor[] = model.weights.map((weight) => ({ name: WEIGHT + weight.name, shape: weight.shape, values: weight.values }));
    if (optimizer) for (const buffer of optimizer.stateBuffers()) tensors.push({ ...buffer, name: OPTIMIZER + buffer.name });
    const { order, ...position } = snapshot;
    const state = { ...position, order: Buffer.from(order.buffer, order.byteOffset, order.byteLength).toString('base64'), iterations: optimizer?.iterations ?? 0 };
    writeFileAtomic(this.path, encodeSafetensors(tensors, { format: FORMAT, loop: JSON.stringify(state) }));
  }

  private restore(): void {
    const { model, loop } = this;
    if (!model || !loop) return;
    const fail = (problem: string): never => {
      throw new Error(`backupAndRestore(): ${this.path} cannot be resumed from: ${problem}; remove it to start again.`);
    };
    const { tensors, metadata } = readSafetensors(this.path);
    if (metadata.format !== FORMAT) fail(`it is not a digitnet backup`);
    let parsed: z.output<typeof loopSchema>;
    try {
      parsed = loopSchema.parse(JSON.parse(metadata.loop ?? ''));
    } catch {
      return fail('its loop state is missing or invalid');
    }
    const byName = new Map(tensors.map((tensor) => [tensor.name, tensor.values]));
    const take = (name: string, length: number): Float32Array => {
      const values = byName.get(name);
      if (!values || values.length !== length) fail(`it has no tensor "${name}" of ${length} values: it was written for another model`);
      return values!;
    };
    const weights = model.weights.map((weight) => take(WEIGHT + weight.name, weight.values.length));
    const optimizer = model.optimizer;
    const buffers = optimizer ? optimizer.stateBuffers().map((buffer) => [buffer, take(OPTIMIZER + buffer.name, buffer.values.length)] as const) : [];
    const orderBytes = Buffer.from(parsed!.order, 'base64');
    const order = new Uint32Array(orderBytes.byteLength / 4);
    new Uint8Array(order.buffer).set(orderBytes);
    const { iterations, order: _order, ...position } = parsed!;
    const snapshot: LoopSnapshot = { ...position, order };
    loop.resume(snapshot);
    model.setWeights(weights);
    for (const [buffer, values] of buffers) buffer.values.set(values);
    if (optimizer) optimizer.iterations = iterations;
    this.resumedFrom = { epoch: snapshot.epoch, batch: snapshot.batch };
  }
}

export function backupAndRestore(options: BackupAndRestoreOptions): BackupAndRestore {
  return new BackupAndRestore(options);
}
