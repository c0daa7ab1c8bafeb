/**
 * The bridge from a live model to the plain data the report functions take: predictions and
 * evaluation on the test images, the summary table, the history and early stopping's epochs.
 * (The report functions themselves know nothing of models, so saved runs can be reported too.)
 */
import type { EarlyStopping } from '../callbacks/early-stopping.js';
import type { History } from '../callbacks/history.js';
import { tensor, type ImageSet } from '../data/tensor.js';
import { toCategorical } from '../data/transforms.js';
import { describeEngine } from '../engine/select.js';
import { takesLabels } from '../losses/losses.js';
import type { Sequential } from '../models/sequential.js';
import type { ModelSummary, RunReportInput, SettingValue, TestResults, TrainingHistory } from './types.js';

export interface RunReportSource {
  model: Sequential;
  /** What fit returned (or a history read back from history.csv). */
  history?: History | TrainingHistory;
  /** The EarlyStopping callback fit used: gives the stop epoch, and the best epoch when its weights were restored. */
  earlyStopping?: EarlyStopping;
  /** Set instead of earlyStopping when the epochs are known another way (history.epoch numbering). */
  stoppedEpoch?: number;
  bestEpoch?: number;
  /** Labelled images to measure the model on (the test set). */
  test: ImageSet;
  /** The training labels, for the class-balance chart. */
  trainLabels?: Uint8Array;
  settings: Readonly<Record<string, SettingValue>>;
  /** Seconds per phase, e.g. { load, train, evaluate }. */
  timings?: Readonly<Record<string, number>>;
  /** The engine's description; the model's own engine when omitted. */
  engine?: string;
  title?: string;
  generatedAt?: string;
}

/** The model's summary table as the report shows it. */
export function modelSummaryOf(model: Sequential): ModelSummary {
  const total = model.countParams();
  return { rows: model.summaryRows(), totalParams: total, trainableParams: total, nonTrainableParams: 0 };
}

/**
 * Keras's History as the report's TrainingHistory. A history without accuracy (a model compiled
 * without the metric) gets NaN there, which the charts leave out.
 */
export function trainingHistoryOf(history: History | TrainingHistory): TrainingHistory {
  if (!('toJSON' in history)) return history;
  const recorded = history.toJSON();
  const missing = (): number[] => recorded.epoch.map(() => Number.NaN);
  return {
    epoch: recorded.epoch,
    loss: recorded.loss ?? missing(),
    accuracy: recorded.accuracy ?? recorded.acc ?? missing(),
    ...(recorded.val_loss ? { val_loss: recorded.val_loss } : {}),
    ...(recorded.val_accuracy || recorded.val_acc ? { val_accuracy: recorded.val_accuracy ?? recorded.val_acc! } : {}),
  };
}

/** Predicts and (when the model is compiled) evaluates on the images, as the report's test results. */
export function testResultsOf(model: Sequential, test: ImageSet): TestResults {
  if (test.count === 0) throw new Error('The test set holds no images; a report needs labelled images to measure the model on.');
  if (test.labels.length !== test.count) {
    throw new Error(`The test set has ${test.count} images but ${test.labels.length} labels; a report needs one label per image.`);
  }
  const inputShape = model.inputShape;
  const width = inputShape.reduce((product, dimension) => product * dimension, 1);
  if (width !== test.rows * test.cols) {
    throw new Error(
      `The model takes inputs of shape [${inputShape.join(', ')}] (${width} values) but the test images are ${test.rows}×${test.cols}.`,
    );
  }
  const x = tensor(test.images, [test.count, ...inputShape]);
  const probabilities = model.predict(x, { batchSize: 256 }).data as Float32Array;
  const loss = model.lossName;
  const evaluation = loss === undefined ? undefined : model.evaluate(x, takesLabels(loss) ? test.labels : toCategorical(test.labels), { batchSize: 256 });
  return {
    labels: test.labels,
    probabilities,
    images: test.images,
    rows: test.rows,
    cols: test.cols,
    ...(evaluation ? { loss: evaluation.loss, accuracy: evaluation.accuracy } : {}),
  };
}

/** A trained run as writeRunReport's input: `await writeRunReport(dir, reportInputFromRun({ ... }))`. */
export function reportInputFromRun(source: RunReportSource): RunReportInput {
  const stoppedEpoch = source.stoppedEpoch ?? source.earlyStopping?.stoppedEpoch;
  const bestEpoch = source.bestEpoch ?? (source.earlyStopping?.restored ? source.earlyStopping.bestEpoch : undefined);
  return {
    ...(source.title !== undefined ? { title: source.title } : {}),
    settings: source.settings,
    modelSummary: modelSummaryOf(source.model),
    ...(source.history ? { history: trainingHistoryOf(source.history) } : {}),
    ...(stoppedEpoch !== undefined ? { stoppedEpoch } : {}),
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    test: testResultsOf(source.model, source.test),
    ...(source.trainLabels ? { trainLabels: source.trainLabels } : {}),
    ...(source.timings ? { timings: source.timings } : {}),
    engine: source.engine ?? describeEngine(source.model.engine),
    ...(source.generatedAt !== undefined ? { generatedAt: source.generatedAt } : {}),
  };
}

/** A saved model (no history) as writeRunReport's input, e.g. for `digitnet report MODEL`. */
export function reportInputFromModel(
  model: Sequential,
  test: ImageSet,
  settings: Readonly<Record<string, SettingValue>> = {},
  options: { title?: string; engine?: string; trainLabels?: Uint8Array; generatedAt?: string } = {},
): RunReportInput {
  const compile = model.getCompileConfig();
  const described: Record<string, SettingValue> = {
    model: model.name,
    ...(compile ? { optimizer: compile.optimizer.name, loss: compile.loss } : {}),
    ...settings,
  };
  return reportInputFromRun({ model, test, settings: described, ...options });
}
