import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { parseOptions } from '../validation.js';
import type { Callback, Logs } from './callback.js';

export interface CsvLoggerOptions {
  separator?: string;
  /** Add to an existing file instead of starting it again. */
  append?: boolean;
}

const schema = z.strictObject({ separator: z.string().min(1, 'must not be empty').optional(), append: z.boolean().optional() });

/** Keras's CSVLogger: one row per epoch, "epoch" then the logs' names in alphabetical order. */
export class CsvLogger implements Callback {
  private readonly separator: string;
  private readonly append: boolean;
  private keys: string[] | undefined;

  constructor(
    readonly filename: string,
    options: CsvLoggerOptions = {},
  ) {
    if (typeof filename !== 'string' || filename === '') throw new Error(`csvLogger(): filename must be a file path; got ${JSON.stringify(filename)}.`);
    const parsed = parseOptions(schema, options, 'csvLogger()');
    this.separator = parsed.separator ?? ',';
    this.append = parsed.append ?? false;
  }

  onTrainBegin(): void {
    this.keys = undefined;
    if (!this.append) writeFileSync(this.filename, '');
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const hadRows = existsSync(this.filename) && statSync(this.filename).size > 0;
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      if (!hadRows) appendFileSync(this.filename, `${['epoch', ...this.keys].join(this.separator)}\n`);
    }
    appendFileSync(this.filename, `${[epoch, ...this.keys.map((key) => (key in logs ? String(logs[key]) : 'NA'))].join(this.separator)}\n`);
  }
}

export function csvLogger(filename: string, options: CsvLoggerOptions = {}): CsvLogger {
  return new CsvLogger(filename, options);
}
