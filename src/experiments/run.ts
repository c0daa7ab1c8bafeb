// model.save goes through the saving formats, which register themselves with the model when loaded.
import '../saving/formats.js';
/**
 * One experiment: build the model a configuration describes, train it with the notebook's
 * settings and measure it — on the test set, or for data without one (notebook 000's combined
 * MNIST, a CSV file) on its validation split, the figure notebook 000 reported. `digitnet train`
 * and `digitnet compare` both train through runResolvedExperiment.
 */
import type { Callback, CallbackModel, Logs } from '../callbacks/callback.js';
import { EarlyStopping } from '../callbacks/early-stopping.js';
import type { History } from '../callbacks/history.js';
import type { ProgressStream } from '../callbacks/progress-bar.js';
import { loadMnist } from '../data/mnist.js';
import { tensor, type ImageSet, type Tensor } from '../data/tensor.js';
import { sliceImageSet, takeFirst, toCategorical } from '../data/transforms.js';
import { describeEngine } from '../engine/select.js';
import { takesLabels, type LossName } from '../losses/losses.js';
import { validationSplitIndex } from '../trainers/data-adapters/validation-split.js';
import { buildMlp } from '../models/presets.js';
import type { Sequential } from '../models/sequential.js';
import { backupAndRestore } from '../callbacks/backup-and-restore.js';
import { configuredOptimizer } from '../optimizers/configured.js';
import type { RunReportInput, SettingValue } from '../report/types.js';
import { reportInputFromRun } from '../report/from-model.js';
import {
  figureUnlessChanged,
  hiddenLayersLabel,
  resolveExperiment,
  type ExperimentConfig,
  type ExperimentImages,
  type ReportedFigure,
  type ResolvedExperiment,
} from './configs.js';

export interface RunExperimentOptions {
  /** Trains on at most this many images (the smaller of this and the config's own limit). */
  limit?: number;
  /** Trains for at most this many epochs, whatever the config says. */
  maxEpochs?: number;
  /** Seeds weights and shuffling when the config has no seed of its own. */
  seed?: number;
  /** Aborting stops training after the current batch (an abort before fit starts runs no batch); the model is still measured. */
  signal?: AbortSignal;
  /** Keras's fit verbosity: 0 (the default here) prints nothing, 1 a progress bar, 2 a line per epoch. */
  verbose?: 0 | 1 | 2;
  progressStream?: ProgressStream;
  /** Called after every epoch with its 1-based number, the planned epochs and the epoch's logs. */
  onEpoch?: (epoch: number, epochs: number, logs: Logs) => void;
  /** Backs the training up in this folder at each epoch's end and resumes from it when run again (backupAndRestore). */
  backupDir?: string;
  /** Called once the data is loaded and the model built and compiled, right before training (e.g. to print its summary). */
  onModel?: (model: Sequential, experiment: ResolvedExperiment, data: ExperimentData) => void;
}

export interface ExperimentResult {
  name: string;
  experiment: ResolvedExperiment;
  /** e.g. "512-d0.2-512-d0.2". */
  hiddenLayers: string;
  parameters: number;
  epochsRun: number;
  /** Seconds spent in fit (validation included, data loading and the final evaluation not). */
  seconds: number;
  history: History;
  /** What testLoss and testAccuracy were measured on: the test set, or the validation split when the data has none. */
  evaluatedOn: 'test' | 'validation';
  testLoss: number;
  testAccuracy: number;
  /** 0-based epoch at which early stopping ended training (history.epoch numbering). */
  stoppedEpoch?: number;
  /** 0-based epoch whose weights were restored; only when they were. */
  bestEpoch?: number;
  model: Sequential;
  /** The notebook's figure for this model, when it reported one and the run changed none of its settings (limit and maxEpochs included). */
  reported: ReportedFigure | null;
  /** True when the signal stopped training before its planned end. */
  interrupted: boolean;
  /** e.g. "MNIST" or "CSV file digits/train.csv". */
  dataName: string;
  /** The images the model was measured on, and the labels it trained on, validation share excluded (for a run report). */
  evaluationSet: ImageSet;
  trainLabels: Uint8Array;
  /** The engine's description, e.g. "native (avx512, 2 threads)". */
  engine: string;
  /** Seconds spent loading data and in the final evaluation. */
  timings: { load: number; train: number; evaluate: number };
}

/** The images an experiment trains on and is measured on. */
export interface ExperimentData {
  /** e.g. "MNIST" or "CSV file digits/train.csv". */
  name: string;
  /** The training images, limit applied, validation share included (fit splits it off itself). */
  train: ImageSet;
  /** The test set, or null when the data has none ("combined", a CSV file). */
  test: ImageSet | null;
  /** The images the final figures come from: the test set, else the validation split. */
  evaluation: ImageSet;
  /** The labels of the images the model learns from (without a validation split's share). */
  trainLabels: Uint8Array;
}

const COMBINED_NAME = 'MNIST, all 70,000 images (OpenML order)';

function imagesOf(data: ResolvedExperiment['data']): ExperimentImages {
  if (data === 'combined') return { name: COMBINED_NAME, train: loadMnist({ combined: true }).all, test: null };
  if (data === 'mnist') {
    const { train, test } = loadMnist();
    return { name: 'MNIST', train, test };
  }
  return data;
}

function loadExperimentData(experiment: ResolvedExperiment, limit: number | null): ExperimentData {
  const images = imagesOf(experiment.data);
  if (images.train.labels.length === 0) {
    throw new Error(`${images.name} has no labels: training needs a label column (label,pixel0,...,pixel783).`);
  }
  const train = limit === null ? images.train : takeFirst(images.train, limit);
  const validation = experiment.validation;
  if (validation === 'test' && !images.test) {
    throw new Error(`${images.name} has no test set to validate on: use a validation split instead.`);
  }
  if (validation === null && !images.test) {
    throw new Error(`${images.name} has no test set, so it needs a validation split to measure the model on.`);
  }
  const splitAt = typeof validation === 'number' ? validationSplitIndex(train.count, validation, 'images') : train.count;
  return {
    name: images.name,
    train,
    test: images.test,
    evaluation: images.test ?? sliceImageSet(train, splitAt, train.count),
    trainLabels: train.labels.subarray(0, splitAt),
  };
}

/** Images shaped as the model's first layer expects them, kept as uint8 (fit scales them by 1/255). */
export function imagesAs(set: ImageSet, inputShape: readonly number[]): Tensor {
  return tensor(set.images, [set.count, ...inputShape]);
}

/** Integer labels for a sparse loss, one-hot rows for the others (Keras's to_categorical). */
export function targetsFor(set: ImageSet, loss: LossName, classes = 10): Tensor | Uint8Array {
  return takesLabels(loss) ? set.labels : toCategorical(set.labels, classes);
}

// Only for speed: the figures do not depend on it beyond the order floats are summed in.
const EVALUATION_BATCH_SIZE = 1000;

function smaller(first: number | null | undefined, second: number | null | undefined): number | null {
  const given = [first, second].filter((value): value is number => typeof value === 'number');
  return given.length === 0 ? null : Math.min(...given);
}

/** Calls back after every epoch and stops training when the signal is aborted. */
class ExperimentWatcher implements Callback {
  private model: CallbackModel | undefined;
  interrupted = false;

  constructor(
    private readonly epochs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onEpoch: RunExperimentOptions['onEpoch'],
  ) {}

  private readonly stop = (): void => {
    this.interrupted = true;
    if (this.model) this.model.stopTraining = true;
  };

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    // fit clears stopTraining when it starts, so an abort that came earlier is applied here.
    if (this.signal?.aborted) this.stop();
    else this.signal?.addEventListener('abort', this.stop, { once: true });
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.onEpoch?.(epoch + 1, this.epochs, { ...logs });
  }

  onTrainEnd(): void {
    this.signal?.removeEventListener('abort', this.stop);
  }
}

/** Trains one configuration (a preset name, a preset with changes, or a custom model) and measures it. */
export async function runExperiment(config: ExperimentConfig, options: RunExperimentOptions = {}): Promise<ExperimentResult> {
  const experiment = resolveExperiment(config, typeof config === 'string' ? `experiment "${config}"` : 'experiment');
  return runResolvedExperiment(experiment, options);
}

/** As runExperiment, for a configuration resolveExperiment already checked. */
export async function runResolvedExperiment(experiment: ResolvedExperiment, options: RunExperimentOptions = {}): Promise<ExperimentResult> {
  checkOptions(options);
  const loadStart = performance.now();
  const limit = smaller(experiment.limit, options.limit);
  const data = loadExperimentData(experiment, limit);
  const loadSeconds = (performance.now() - loadStart) / 1000;

  // The model follows the images' size; the experiment decides Flatten first or flat vectors.
  // Augmentation warps whole images, so it always takes them as [height, width].
  const inputShape = experiment.inputShape.length > 1 || experiment.augment ? [data.train.rows, data.train.cols] : [data.train.rows * data.train.cols];
  const seed = experiment.seed ?? options.seed;
  const model = buildMlp(experiment.hidden, { inputShape, activation: experiment.activation, seed, augment: experiment.augment ?? null });
  const epochs = smaller(experiment.epochs, options.maxEpochs)!;
  const trainCount = typeof experiment.validation === 'number' ? validationSplitIndex(data.train.count, experiment.validation) : data.train.count;
  const optimizer = configuredOptimizer(experiment, { epochs, stepsPerEpoch: Math.ceil(trainCount / experiment.batchSize) });
  model.compile({ optimizer, loss: experiment.loss, metrics: ['accuracy'] });

  const x = imagesAs(data.train, inputShape);
  const y = targetsFor(data.train, experiment.loss);
  const validationData =
    experiment.validation === 'test' ? ([imagesAs(data.test!, inputShape), targetsFor(data.test!, experiment.loss)] as const) : undefined;
  const stopping =
    experiment.earlyStoppingPatience === null
      ? undefined
      : new EarlyStopping({ patience: experiment.earlyStoppingPatience, restoreBestWeights: experiment.restoreBest });
  const watcher = new ExperimentWatcher(epochs, options.signal, options.onEpoch);
  const callbacks: Callback[] = [watcher, ...(stopping ? [stopping] : []), ...(options.backupDir ? [backupAndRestore({ backupDir: options.backupDir })] : [])];
  options.onModel?.(model, experiment, data);

  const trainStart = performance.now();
  const history = await model.fit(x, y, {
    epochs,
    batchSize: experiment.batchSize,
    verbose: options.verbose ?? 0,
    callbacks,
    ...(validationData ? { validationData } : typeof experiment.validation === 'number' ? { validationSplit: experiment.validation } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.progressStream ? { progressStream: options.progressStream } : {}),
  });
  const seconds = (performance.now() - trainStart) / 1000;

  const evaluateStart = performance.now();
  const evaluation = model.evaluate(imagesAs(data.evaluation, inputShape), targetsFor(data.evaluation, experiment.loss), {
    batchSize: EVALUATION_BATCH_SIZE,
  });
  const evaluateSeconds = (performance.now() - evaluateStart) / 1000;

  return {
    name: experiment.name,
    experiment,
    hiddenLayers: hiddenLayersLabel(experiment.hidden),
    parameters: model.countParams(),
    epochsRun: history.epoch.length,
    seconds,
    history,
    evaluatedOn: data.test ? 'test' : 'validation',
    testLoss: evaluation.loss,
    testAccuracy: evaluation.accuracy,
    ...(stopping?.stoppedEpoch !== undefined ? { stoppedEpoch: stopping.stoppedEpoch } : {}),
    ...(stopping?.restored ? { bestEpoch: stopping.bestEpoch } : {}),
    model,
    reported: figureUnlessChanged(experiment.reported, [
      ...(options.limit !== undefined ? ['limit'] : []),
      ...(options.maxEpochs !== undefined ? ['maxEpochs'] : []),
    ]),
    interrupted: watcher.interrupted,
    dataName: data.name,
    evaluationSet: data.evaluation,
    trainLabels: data.trainLabels,
    engine: describeEngine(model.engine),
    timings: { load: loadSeconds, train: seconds, evaluate: evaluateSeconds },
  };
}

function checkOptions(options: RunExperimentOptions): void {
  for (const key of ['limit', 'maxEpochs'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`runExperiment(): ${key} must be a positive integer; got ${value}.`);
    }
  }
  if (options.seed !== undefined && (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)) {
    throw new Error(`runExperiment(): seed must be an integer in 0..4294967295; got ${options.seed}.`);
  }
}

/** The settings table of a run report for an experiment. */
export function experimentSettings(result: ExperimentResult): Record<string, SettingValue> {
  const experiment = result.experiment;
  return {
    name: experiment.name,
    preset: experiment.preset,
    data: result.dataName,
    'training images': result.trainLabels.length,
    'hidden layers': result.hiddenLayers,
    activation: experiment.activation,
    'input shape': experiment.inputShape,
    optimizer: experiment.optimizer,
    'learning rate': experiment.learningRate ?? 'Keras default',
    loss: experiment.loss,
    epochs: experiment.epochs,
    'batch size': experiment.batchSize,
    validation: experiment.validation === 'test' ? 'test set' : experiment.validation === null ? null : `last ${experiment.validation * 100}% (validationSplit)`,
    'early stopping patience': experiment.earlyStoppingPatience,
    'restore best weights': experiment.restoreBest,
    seed: experiment.seed,
    'measured on': result.evaluatedOn === 'test' ? 'test set' : 'validation split',
  };
}

/** What a run report of an experiment shows differently from experimentReportInput's defaults. */
export interface ExperimentReportOptions {
  /** "digitnet run: NAME" when omitted. */
  title?: string;
  /** experimentSettings(result) when omitted. */
  settings?: Readonly<Record<string, SettingValue>>;
  /** Seconds per phase; result.timings when omitted. */
  timings?: Readonly<Record<string, number>>;
}

/** Everything writeRunReport needs to report an experiment's run; a string is the title. */
export function experimentReportInput(result: ExperimentResult, options: string | ExperimentReportOptions = {}): RunReportInput {
  const { title, settings, timings } = typeof options === 'string' ? { title: options } : options;
  return reportInputFromRun({
    model: result.model,
    history: result.history,
    ...(result.stoppedEpoch !== undefined ? { stoppedEpoch: result.stoppedEpoch } : {}),
    ...(result.bestEpoch !== undefined ? { bestEpoch: result.bestEpoch } : {}),
    test: result.evaluationSet,
    trainLabels: result.trainLabels,
    settings: settings ?? experimentSettings(result),
    timings: timings ?? result.timings,
    engine: result.engine,
    title: title ?? `digitnet run: ${result.name}`,
  });
}
