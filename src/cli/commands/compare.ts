/**
 * `digitnet compare [FILE] --out DIR`: trains several configurations one after another — the seed
 * notebooks' models by default — and writes their table and overlaid validation curves.
 */
import type { Command } from 'commander';
import type { CompareRow } from '../../report/types.js';
import { CliError, EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { print } from '../table.js';
import * as values from '../values.js';

export interface CompareOptions {
  out: string;
  limit?: values.OptionValue;
  maxEpochs?: values.OptionValue;
  seed?: values.OptionValue;
  seeds?: string;
}

export async function runCompare(file: string | undefined, options: CompareOptions): Promise<void> {
  checkOutputFolder(options.out, '--out');
  const limit = options.limit === undefined ? undefined : values.positiveInteger(options.limit, '--limit', 'image count');
  const maxEpochs = options.maxEpochs === undefined ? undefined : values.positiveInteger(options.maxEpochs, '--max-epochs', 'epoch count');
  const seed = options.seed === undefined ? undefined : values.seed(options.seed, '--seed');
  const seeds = options.seeds === undefined ? undefined : values.seedList(options.seeds, '--seeds');
  if (seed !== undefined && seeds !== undefined) throw new UsageError('--seed and --seeds were both given: use --seed for one run per model, or --seeds for one run per model and seed.');
  const { builtInComparison, loadComparisonFile, runComparison } = await import('../../experiments/index.js');
  const { formatCompareTable } = await import('../../report/tables.js');
  const configs = file ? loadComparisonFile(file) : builtInComparison();

  // Ctrl-C: the first stops the current run and keeps the rows already written; a second quits.
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
    process.stderr.write('\ndigitnet: stopping; the runs already finished are kept (Ctrl-C again to quit at once).\n');
  };
  process.on('SIGINT', onInterrupt);
  const live = process.stderr.isTTY === true;
  const started = performance.now();
  let result;
  try {
    result = await runComparison(configs, {
      out: options.out,
      signal: controller.signal,
      ...(limit !== undefined ? { limit } : {}),
      ...(maxEpochs !== undefined ? { maxEpochs } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(seeds !== undefined ? { seeds } : {}),
      // On a terminal the progress line is redrawn in place; in a log each event gets its line.
      onProgress: (event) => process.stderr.write(live && event.kind === 'epoch' ? `\r${event.message}\x1b[K` : `${live ? '\r' : ''}${event.message}${live ? '\x1b[K' : ''}\n`),
    });
  } finally {
    if (!controller.signal.aborted) process.off('SIGINT', onInterrupt);
  }
  print('');
  print(formatCompareTable(result.rows));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const models = `${result.rows.length} model${result.rows.length === 1 ? '' : 's'}`;
  print(seeds ? `\n${models} × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} in ${seconds} s.` : `\n${models} in ${seconds} s.`);
  if (result.report) print(`Comparison written to ${result.report.htmlPath}`);
  if (result.aborted) throw new CliError(`The comparison was stopped by Ctrl-C after ${result.rows.length} of ${configs.length} models; their rows are kept.`, EXIT_INTERRUPTED);
  const failure = failedRunsError(result.rows);
  if (failure) throw failure;
}

/** A comparison with a failed run did not do what was asked: exit 1, naming the first failure. */
export function failedRunsError(rows: readonly CompareRow[]): CliError | undefined {
  const failed = rows.filter((row) => row.error !== undefined);
  if (failed.length === 0) return undefined;
  const first = failed[0]!;
  const others = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  return new CliError(`${failed.length} of ${rows.length} runs failed; the others' rows are kept. Run "${first.name}"${others}: ${first.error!.replace(/\.$/, '')}.`);
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description("train several models one after another and compare them (default: every seed notebook's model)")
    .argument('[file]', 'a JSON file { "runs": [ "preset-name" | { "preset": ..., "epochs": ... } | { "name", "hidden", "optimizer", ... } ] }')
    .requiredOption('--out <dir>', 'folder for compare.html, compare.json, compare.csv and the curves chart')
    .option('--limit <n>', "train every run on the first N images only (the notebooks' figures are then left out)")
    .option('--max-epochs <n>', "cap every run at N epochs (the notebooks' figures are then left out)")
    .option('--seed <n>', 'seed for runs that have none')
    .option('--seeds <list>', 'train every model once per seed, e.g. 1,2,3 or 1-5, and report the mean test accuracy with its range')
    .action(async (file: string | undefined, options: CompareOptions) => {
      await runCompare(file, options);
    });
}
