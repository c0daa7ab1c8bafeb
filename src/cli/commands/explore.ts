/**
 * `digitnet explore`: what the notebooks do before training — shapes and dtypes, the class
 * balance of train and test, and a few digits with their labels.
 */
import type { Command } from 'commander';
import { classCounts } from '../../data/transforms.js';
import type { ImageSet } from '../../data/tensor.js';
import { renderDigitRow } from '../../data/terminal.js';
import { DATA_HELP, loadData, parseDataSource } from '../data.js';
import { formatCount, formatPercent, formatTable, print } from '../table.js';
import * as values from '../values.js';

export interface ExploreOptions {
  data?: string;
  digits?: values.OptionValue;
}

// A pipe or a file has no width; 80 is what a terminal has when nobody changed it.
function terminalWidth(): number {
  return process.stdout.columns || 80;
}

// Each drawn digit takes its width plus a two-space gap.
function digitsThatFit(cols: number): number {
  return Math.max(1, Math.min(10, Math.floor((terminalWidth() + 2) / (cols + 2))));
}

function shapeRows(name: string, set: ImageSet): string[][] {
  const rows = [[`x_${name}`, 'uint8', `(${set.count}, ${set.rows}, ${set.cols})`]];
  rows.push([`y_${name}`, 'uint8', set.labels.length > 0 ? `(${set.labels.length},)` : 'none (unlabelled)']);
  return rows;
}

export function runExplore(options: ExploreOptions): void {
  const count = options.digits !== undefined ? values.positiveInteger(options.digits, '--digits', 'number of digits to draw') : undefined;
  const loaded = loadData(parseDataSource(options.data));
  const splits: [string, ImageSet][] = [['train', loaded.train]];
  if (loaded.test) splits.push(['test', loaded.test]);

  print(`Data: ${loaded.name}\n`);
  print(formatTable(['array', 'dtype', 'shape'], splits.flatMap(([name, set]) => shapeRows(name, set))));
  if (!loaded.test) print('(no test set: a CSV file is one split)');

  const labelled = splits.filter(([, set]) => set.labels.length > 0);
  if (labelled.length > 0) {
    const counts = labelled.map(([, set]) => classCounts(set.labels));
    const header = ['digit', ...labelled.flatMap(([name]) => [name, `${name} %`])];
    const rows = Array.from({ length: 10 }, (_, digit) => [
      String(digit),
      ...labelled.flatMap(([, set], split) => [formatCount(counts[split]![digit]!), formatPercent(counts[split]![digit]! / set.labels.length)]),
    ]);
    rows.push(['all', ...labelled.flatMap(([, set]) => [formatCount(set.labels.length), formatPercent(1)])]);
    print('\nClass proportions');
    print(formatTable(header, rows, header.map((_, column) => (column === 0 ? 'left' : 'right'))));
  }

  const train = loaded.train;
  const shown = Math.min(train.count, count ?? digitsThatFit(train.cols));
  const size = train.rows * train.cols;
  const images = Array.from({ length: shown }, (_, index) => train.images.subarray(index * size, (index + 1) * size));
  const labels = images.map((_, index) => (train.labels.length > 0 ? String(train.labels[index]) : '?'));
  print(shown === 1 ? '\nThe first training image and its label' : `\nThe first ${shown} training images and their labels`);
  print(renderDigitRow(images, labels, { rows: train.rows, cols: train.cols, width: terminalWidth() }));
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('shapes, dtypes and class balance of the data, and a few digits drawn in the terminal')
    .option('--data <source>', DATA_HELP)
    .option('--digits <n>', 'how many digits to draw (default: as many as fit the terminal)')
    .action((options: ExploreOptions) => runExplore(options));
}
