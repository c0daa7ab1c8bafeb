/** `digitnet evaluate FILE`: loss and accuracy of a saved model on the test set, with its confusion matrix. */
import type { Command } from 'commander';
import { MODEL_FILE_HELP } from './convert.js';
import { argmaxRows, classificationReport, confusionMatrix } from '../../report/metrics.js';
import { formatClassificationReport, formatConfusionMatrix } from '../../report/tables.js';
import { DATA_HELP, imagesFor, loadEvaluationSet, parseDataSource } from '../data.js';
import { loadCompiledModel, targetsForModel } from '../model.js';
import { formatCount, formatPercent, print } from '../table.js';

export interface EvaluateOptions {
  json?: boolean;
  data?: string;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
}

export function runEvaluate(file: string, options: EvaluateOptions): EvaluateResult {
  const source = parseDataSource(options.data);
  const model = loadCompiledModel(file);
  const { name, set } = loadEvaluationSet(source);
  if (set.labels.length === 0) throw new Error(`${name} has no labels, so there is nothing to evaluate against: use a labelled set.`);
  const x = imagesFor(set, model.inputShape);
  const { loss, accuracy } = model.evaluate(x, targetsForModel(model, set), { batchSize: 1000 });
  if (options.json) {
    print(JSON.stringify({ loss, accuracy }));
    return { loss, accuracy };
  }
  print(`${name}: ${formatCount(set.count)} images`);
  print(`Loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)} (${formatPercent(accuracy)})`);
  const classes = model.outputShape[0]!;
  const predicted = argmaxRows(model.predict(x, { batchSize: 1000 }).data, classes);
  print('\nConfusion matrix (rows: true digit, columns: predicted digit)');
  print(formatConfusionMatrix(confusionMatrix(set.labels, predicted, classes)));
  print('\nPer-class scores');
  print(formatClassificationReport(classificationReport(set.labels, predicted, { classes })));
  return { loss, accuracy };
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('loss, accuracy, confusion matrix and per-class scores of a saved model on the MNIST test set')
    .argument('<file>', MODEL_FILE_HELP)
    .option('--json', 'print only { "loss", "accuracy" } as JSON')
    .option('--data <source>', `evaluate on another set: ${DATA_HELP}`)
    .action((file: string, options: EvaluateOptions) => {
      runEvaluate(file, options);
    });
}
