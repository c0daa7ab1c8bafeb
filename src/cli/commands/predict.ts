/**
 * `digitnet predict FILE --index N | --image PNG`: the class a saved model gives one digit, and
 * its ten probabilities as a small bar chart.
 */
import type { Command } from 'commander';
import { MODEL_FILE_HELP } from './convert.js';
import { readDigitPng } from '../../data/image.js';
import { tensor } from '../../data/tensor.js';
import { renderDigit } from '../../data/terminal.js';
import { DATA_HELP, loadEvaluationSet, parseDataSource } from '../data.js';
import { UsageError } from '../errors.js';
import { loadCompiledModel } from '../model.js';
import { bar, formatCount, print } from '../table.js';
import * as values from '../values.js';

export interface PredictOptions {
  index?: values.OptionValue;
  image?: string;
  json?: boolean;
  data?: string;
}

export interface PredictResult {
  predicted: number;
  probabilities: number[];
  /** The test image's index and true label (with --index). */
  index?: number;
  label?: number;
  image?: string;
}

interface Digit {
  pixels: Uint8Array;
  rows: number;
  cols: number;
  label?: number;
  caption: string;
}

function pickDigit(options: PredictOptions): Digit & Pick<PredictResult, 'index' | 'image'> {
  if (options.image !== undefined) {
    const pixels = readDigitPng(options.image);
    return { pixels, rows: 28, cols: 28, image: options.image, caption: `${options.image}, as the model sees it (28×28, centred):` };
  }
  const index = values.nonNegativeInteger(options.index!, '--index', 'image index');
  const { name, set } = loadEvaluationSet(parseDataSource(options.data));
  if (index >= set.count) {
    throw new UsageError(`--index ${index} is out of range: ${name} has ${formatCount(set.count)} images, numbered 0 to ${set.count - 1}.`);
  }
  const size = set.rows * set.cols;
  const pixels = set.images.subarray(index * size, (index + 1) * size);
  const label = set.labels.length > 0 ? set.labels[index]! : undefined;
  const caption = `Image ${index} of the ${name}${label !== undefined ? ` (true label ${label})` : ''}:`;
  return { pixels, rows: set.rows, cols: set.cols, index, ...(label !== undefined ? { label } : {}), caption };
}

export function runPredict(file: string, options: PredictOptions): PredictResult {
  if ((options.index === undefined) === (options.image === undefined)) {
    throw new UsageError('predict needs exactly one of --index N (an MNIST test image) or --image FILE.png');
  }
  if (options.image !== undefined && options.data !== undefined) {
    throw new UsageError('--data chooses the set --index reads from; with --image FILE.png it has nothing to do: leave it out.');
  }
  const model = loadCompiledModel(file);
  const digit = pickDigit(options);
  const width = model.inputShape.reduce((product, dimension) => product * dimension, 1);
  if (width !== digit.pixels.length) {
    throw new Error(`The model takes inputs of shape [${model.inputShape.join(', ')}] (${width} values) but the image has ${digit.pixels.length} pixels.`);
  }
  const probabilities = Array.from(model.predict(tensor(digit.pixels, [1, ...model.inputShape])).data);
  if (probabilities.some((probability) => !Number.isFinite(probability))) {
    throw new Error(`${file} gives no usable probabilities (NaN): its weights hold NaN or infinite values, as after a training that diverged; retrain it with a smaller learning rate.`);
  }
  let predicted = 0;
  probabilities.forEach((probability, index) => {
    if (probability > probabilities[predicted]!) predicted = index;
  });
  const result: PredictResult = {
    predicted,
    probabilities,
    ...(digit.index !== undefined ? { index: digit.index } : {}),
    ...(digit.label !== undefined ? { label: digit.label } : {}),
    ...(digit.image !== undefined ? { image: digit.image } : {}),
  };
  if (options.json) {
    print(JSON.stringify(result));
    return result;
  }
  print(digit.caption);
  print(renderDigit(digit.pixels, digit.rows, digit.cols));
  const verdict = digit.label === undefined ? '' : digit.label === predicted ? ' — correct' : ` — wrong, it is a ${digit.label}`;
  print(`\nPredicted: ${predicted} (${(probabilities[predicted]! * 100).toFixed(2)}%)${verdict}`);
  probabilities.forEach((probability, index) => {
    const marker = index === predicted ? '◀' : '';
    print(`  ${index}  ${probability.toFixed(4)}  ${bar(probability).padEnd(30)} ${marker}`.trimEnd());
  });
  return result;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify one digit (an MNIST test image or a PNG) with a saved model')
    .argument('<file>', MODEL_FILE_HELP)
    .option('-i, --index <n>', 'the MNIST test image with this index (0-9999), shown with its true label')
    .option('--image <png>', 'a PNG of one digit, any size, dark ink on light paper or the reverse')
    .option('--data <source>', `take --index from another set: ${DATA_HELP}`)
    .option('--json', 'print { predicted, probabilities, ... } as JSON')
    .action((file: string, options: PredictOptions) => {
      runPredict(file, options);
    });
}
