/**
 * One experiment: build the model a configuration describes, train it on MNIST with the
 * notebook's settings and measure it — on the test set, or for notebook 000's combined data
 * (which has no test set) on its validation split, the figure that notebook reported.
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
import { buildMlp } from '../models/presets.js';
import type { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optimizers/index.js';
import type { RunReportInput, SettingValue } from '../report/types.js';
import { reportInputFromRun } from '../report/from-model.js';
import { hiddenLayersLabel, resolveExperiment, type ExperimentConfig, type ReportedFigure, type ResolvedExperiment } from './configs.js';

export interface RunExperimentOptions {
  /** Trains on at most this many images (the smaller of this and the config's own limit). */
  limit?: number;
  /** Trains for at most this many epochs, whatever the config says. */
  maxEpochs?: number;
  /** Seeds weights and shuffling when the config has no seed of its own. */
  seed?: number;
  /** Aborting stops training after the current batch; the model is still measured. */
  signal?: AbortSignal;
  /** Keras's fit verbosity: 0 (the default here) prints nothing, 1 a progress bar, 2 a line per epoch. */
  verbose?: 0 | 1 | 2;
  progressStream?: ProgressStream;
  /** Called after every epoch with its 1-based number, the planned epochs and the epoch's logs. */
  onEpoch?: (epoch: number, epochs: number, logs: Logs) => void;
  /** Called once the model is built and compiled, before training (e.g. to print its summary). */
  onModel?: (model: Sequential, experiment: ResolvedExperiment) => void;
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
  /** What testLoss and testAccuracy were measured on: the test set, or the validation split for data "combined". */
  evaluatedOn: 'test' | 'validation';
  testLoss: number;
  testAccuracy: number;
  /** 0-based epoch at which early stopping ended training (history.epoch numbering). */
  stoppedEpoch?: number;
  /** 0-based epoch whose weights were restored; only when they were. */
  bestEpoch?: number;
  model: Sequential;
  /** The notebook's figure for this model, when it reported one. */
  reported: ReportedFigure | null;
  /** True when the signal stopped training before its planned end. */
  interrupted: boolean;
  /** The images the model was measured on, and the labels it trained on, validation share excluded (for a run report). */
  evaluationSet: ImageSet;
  trainLabels: Uint8Array;
  /** The engine's description, e.g. "native (avx512, 2 threads)". */
  engine: string;
  /** Seconds spent loading data and in the final evaluation. */
  timings: { load: number; train: number; evaluate: number };
}

/** The training and evaluation sets an experiment uses. */
interface ExperimentData {
  train: ImageSet;
  /** For "mnist", the test set; for "combined", null (fit takes the split itself). */
  test: ImageSet | null;
  /** The images the final figures come from. */
  evaluation: ImageSet;
  /** The labels of the images the model learns from (without a validation split's share). */
  trainLabels: Uint8Array;
}

function loadExperimentData(experiment: ResolvedExperiment, limit: number | null): ExperimentData {
  if (experiment.data === 'combined') {
    const all = loadMnist({ combined: true }).all;
    const train = limit === null ? all : takeFirst(all, limit);
    const fraction = experiment.validation as number;
    // Keras's validationSplit: the last fraction of the samples, before shuffling.
    const splitAt = Math.floor(train.count * (1 - fraction));
    return { train, test: null, evaluation: sliceImageSet(train, splitAt, train.count), trainLabels: train.labels.subarray(0, splitAt) };
  }
  const { train: all, test } = loadMnist();
  const train = limit === null ? all : takeFirst(all, limit);
  const trainLabels =
    typeof experiment.validation === 'number' ? train.labels.subarray(0, Math.floor(train.count * (1 - experiment.validation))) : train.labels;
  return { train, test, evaluation: test, trainLabels };
}

/** Images shaped as the model's first layer expects them, kept as uint8 (fit scales them by 1/255). */
export function imagesAs(set: ImageSet, inputShape: readonly number[]): Tensor {
  return tensor(set.images, [set.count, ...inputShape]);
}

/** Integer labels for a sparse loss, one-hot rows for the others (Keras's to_categorical). */
export function targetsFor(set: ImageSet, loss: LossName, classes = 10): Tensor | Uint8Array {
  return takesLabels(loss) ? set.labels : toCategorical(set.labels, classes);
}

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

  const seed = experiment.seed ?? options.seed;
  const model = buildMlp(experiment.hidden, { inputShape: experiment.inputShape, seed });
  const optimizer =
    experiment.learningRate === null ? experiment.optimizer : createOptimizer(experiment.optimizer, { learningRate: experiment.learningRate });
  model.compile({ optimizer, loss: experiment.loss, metrics: ['accuracy'] });
  options.onModel?.(model, experiment);

  const epochs = smaller(experiment.epochs, options.maxEpochs)!;
  const x = imagesAs(data.train, experiment.inputShape);
  const y = targetsFor(data.train, experiment.loss);
  const stopping =
    experiment.earlyStoppingPatience === null
      ? undefined
      : new EarlyStopping({ patience: experiment.earlyStoppingPatience, restoreBestWeights: experiment.restoreBest });
  const watcher = new ExperimentWatcher(epochs, options.signal, options.onEpoch);
  const callbacks: Callback[] = [watcher, ...(stopping ? [stopping] : [])];

  const trainStart = performance.now();
  const history = await model.fit(x, y, {
    epochs,
    batchSize: experiment.batchSize,
    verbose: options.verbose ?? 0,
    callbacks,
    ...(experiment.validation === 'test'
      ? { validationData: [imagesAs(data.test!, experiment.inputShape), targetsFor(data.test!, experiment.loss)] as const }
      : experiment.validation !== null
        ? { validationSplit: experiment.validation }
        : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(options.progressStream ? { progressStream: options.progressStream } : {}),
  });
  const seconds = (performance.now() - trainStart) / 1000;

  const evaluateStart = performance.now();
  const evaluation = model.evaluate(imagesAs(data.evaluation, experiment.inputShape), targetsFor(data.evaluation, experiment.loss), {
    batchSize: Math.max(experiment.batchSize, 128),
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
    evaluatedOn: experiment.data === 'combined' ? 'validation' : 'test',
    testLoss: evaluation.loss,
    testAccuracy: evaluation.accuracy,
    ...(stopping?.stoppedEpoch !== undefined ? { stoppedEpoch: stopping.stoppedEpoch } : {}),
    ...(stopping?.restored ? { bestEpoch: stopping.bestEpoch } : {}),
    model,
    reported: experiment.reported,
    interrupted: watcher.interrupted,
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
    data: experiment.data === 'combined' ? 'MNIST, all 70,000 images (OpenML order)' : 'MNIST',
    'training images': result.trainLabels.length,
    'hidden layers': result.hiddenLayers,
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

/** Everything writeRunReport needs to report an experiment's run. */
export function experimentReportInput(result: ExperimentResult, title?: string): RunReportInput {
  return reportInputFromRun({
    model: result.model,
    history: result.history,
    ...(result.stoppedEpoch !== undefined ? { stoppedEpoch: result.stoppedEpoch } : {}),
    ...(result.bestEpoch !== undefined ? { bestEpoch: result.bestEpoch } : {}),
    test: result.evaluationSet,
    trainLabels: result.trainLabels,
    settings: experimentSettings(result),
    timings: result.timings,
    engine: result.engine,
    title: title ?? `digitnet run: ${result.name}`,
  });
}
