/**
 * `digitnet train`: a preset (one of the notebooks' models with its training settings), with any
 * option given overriding the preset's value.
 */
import { parseAugmentSpec, type AugmentSpec } from '../../models/augmentation.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { describeEngine, getEngine } from '../../engine/select.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import {
  figureUnlessChanged,
  HIDDEN_ACTIVATIONS,
  resolveExperiment,
  SCHEDULE_CHOICES,
  type HiddenActivation,
  type ResolvedExperiment,
  type ScheduleChoice,
} from '../../experiments/configs.js';
import { experimentReportInput, runResolvedExperiment, type ExperimentData, type ExperimentResult } from '../../experiments/run.js';
import { isCrossentropy, parseLoss, type LossName } from '../../losses/losses.js';
import { validationSplitIndex } from '../../trainers/data-adapters/validation-split.js';
import { DEFAULT_PRESET, findPreset, type HiddenLayer, type Preset } from '../../models/presets.js';
import type { Sequential } from '../../models/sequential.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../../optimizers/index.js';
import { setGlobalPolicy } from '../../precision/policy.js';
import { DATA_HELP, loadData, parseDataSource, type DataSource, type LoadedData } from '../data.js';
import { CliError, EXIT_INTERRUPTED, plainErrorMessage, UsageError } from '../errors.js';
import { checkSavable } from '../../saving/formats.js';
import { checkDistinctOutputs, checkOutputFile, checkOutputFolder, saveWithFallback } from '../outputs.js';
import { formatPresetList, reportedFigure } from '../presets.js';
import { formatCount, formatPercent, plural, print } from '../table.js';
import * as values from '../values.js';
import { LARGEST_LAYER_UNITS } from '../../validation.js';

export { HIDDEN_ACTIVATIONS, type HiddenActivation };

/** The options as commander hands them over (strings), or typed values from code. */
export interface TrainOptions {
  preset?: string;
  layers?: string;
  dropout?: values.OptionValue;
  activation?: string;
  optimizer?: string;
  lr?: values.OptionValue;
  weightDecay?: values.OptionValue;
  augment?: values.OptionValue;
  schedule?: string;
  warmupEpochs?: values.OptionValue;
  backupDir?: string;
  loss?: string;
  epochs?: values.OptionValue;
  batchSize?: values.OptionValue;
  validationSplit?: values.OptionValue;
  validateOnTest?: boolean;
  earlyStopping?: values.OptionValue;
  restoreBest?: boolean;
  seed?: values.OptionValue;
  limit?: values.OptionValue;
  data?: string;
  save?: string;
  json?: string;
  report?: string;
  quiet?: boolean;
  verbose?: values.OptionValue;
  precision?: string;
}

/** What each epoch is validated on. */
export type ValidationPlan = { kind: 'test' } | { kind: 'split'; fraction: number } | { kind: 'none' };

export interface TrainConfig {
  preset: string;
  notebook: string;
  hidden: HiddenLayer[];
  /** [28, 28] when the model starts with Flatten, [784] when it takes flat vectors. */
  inputShape: number[];
  activation: HiddenActivation;
  optimizer: OptimizerName;
  /** null keeps the optimizer's Keras default. */
  learningRate: number | null;
  /** The optimizer's weight decay; null keeps its default (0, AdamW's 0.004). */
  weightDecay: number | null;
  /** Augmentation in front of the model (--augment rotation=10,elastic), or null. */
  augment: AugmentSpec | null;
  schedule: ScheduleChoice;
  /** Epochs of linear warm-up before the cosine; null for none. */
  warmupEpochs: number | null;
  /** Where backupAndRestore keeps the training's state, so that running the same command again resumes it. */
  backupDir: string | null;
  loss: LossName;
  epochs: number;
  batchSize: number;
  validation: ValidationPlan;
  /** Where the final loss and accuracy come from: the test set, or the validation split when there is none. */
  evaluateOn: 'test' | 'validation';
  earlyStopping: { patience: number; restoreBest: boolean } | null;
  seed: number | null;
  limit: number | null;
  data: DataSource;
  save: string | null;
  json: string | null;
  /** Folder for report.html and its charts. */
  report: string | null;
  verbose: 0 | 1 | 2;
  /** fp32, or bf16: Keras's mixed_bfloat16 policy (bf16 matrix inputs, fp32 weights and sums). */
  precision: TrainPrecision;
  /** The options that changed the preset's model or training. */
  overrides: string[];
  /** Things the user should be told before training (e.g. that a CSV has no test set). */
  notes: string[];
}

export const TRAIN_PRECISIONS = ['fp32', 'bf16'] as const;
export type TrainPrecision = (typeof TRAIN_PRECISIONS)[number];

/** Validation split used for a CSV file when neither the options nor the preset give one. */
export const DEFAULT_CSV_SPLIT = 0.1;

const LARGEST_LAYER = LARGEST_LAYER_UNITS;

function parseLayers(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => !/^\d+$/.test(part) || Number(part) <= 0)) {
    throw new UsageError(`--layers ${JSON.stringify(text)} is invalid: give the hidden layer sizes as positive whole numbers separated by commas, e.g. 512,512.`);
  }
  const largest = parts.find((part) => Number(part) > LARGEST_LAYER);
  if (largest !== undefined) throw new UsageError(`--layers ${JSON.stringify(text)} is invalid: a layer of ${largest} units is more than the ${LARGEST_LAYER} allowed.`);
  return parts.map(Number);
}

function hiddenLayer(units: number, dropout: number | undefined, batchNormalization: boolean | undefined): HiddenLayer {
  return { units, ...(batchNormalization ? { batchNormalization } : {}), ...(dropout ? { dropout } : {}) };
}

/**
 * Turns train's options into a complete configuration: the preset's settings with every given
 * option applied, each value checked. Pure: reads no files, so tests call it directly.
 */
export function resolveTrainConfig(options: TrainOptions): TrainConfig {
  let preset: Preset;
  try {
    preset = findPreset(options.preset ?? DEFAULT_PRESET);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const overrides: string[] = [];
  const notes: string[] = [];
  const given = (name: keyof TrainOptions): boolean => options[name] !== undefined && options[name] !== false;
  const override = <T>(name: keyof TrainOptions, presetValue: T, parse: () => T): T => {
    if (!given(name)) return presetValue;
    overrides.push(name);
    return parse();
  };

  const dropout = options.dropout !== undefined ? values.rate(options.dropout, '--dropout', 'dropout rate') : undefined;
  let hidden: HiddenLayer[];
  if (options.layers !== undefined) {
    overrides.push('layers');
    // Without --dropout, each layer keeps the dropout (and batch normalization) the preset's layer in its place had.
    hidden = parseLayers(options.layers).map((units, index) => hiddenLayer(units, dropout ?? preset.hidden[index]?.dropout, preset.hidden[index]?.batchNormalization));
  } else {
    // --dropout alone replaces the preset's dropout with one after every hidden layer.
    hidden = preset.hidden.map((layer) => hiddenLayer(layer.units, dropout ?? layer.dropout, layer.batchNormalization));
  }
  if (dropout !== undefined) overrides.push('dropout');

  const activation = override<HiddenActivation>('activation', 'relu', () =>
    values.oneOf(options.activation!, HIDDEN_ACTIVATIONS, '--activation', 'hidden-layer activation'),
  );
  const optimizer = override<OptimizerName>('optimizer', preset.optimizer, () =>
    values.oneOf(options.optimizer!, OPTIMIZER_NAMES, '--optimizer', 'optimizer'),
  );
  const learningRate = override<number | null>('lr', preset.learningRate ?? null, () => values.positiveNumber(options.lr!, '--lr', 'learning rate'));
  const weightDecay = override<number | null>('weightDecay', preset.weightDecay ?? null, () => values.positiveNumber(options.weightDecay!, '--weight-decay', 'weight decay'));
  const augment = override<AugmentSpec | null>('augment', preset.augment ?? null, () => {
    try {
      return parseAugmentSpec(String(options.augment));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  const schedule = override<ScheduleChoice>('schedule', preset.schedule ?? 'constant', () => values.oneOf(options.schedule!, SCHEDULE_CHOICES, '--schedule', 'learning-rate schedule'));
  // A preset's warm-up belongs to its cosine: --schedule constant drops both.
  const warmupEpochs = override<number | null>('warmupEpochs', schedule === 'cosine' ? (preset.warmupEpochs ?? null) : null, () => values.nonNegativeInteger(options.warmupEpochs!, '--warmup-epochs', 'number of warm-up epochs'));
  if (warmupEpochs && schedule !== 'cosine') throw new UsageError(`--warmup-epochs ${warmupEpochs} warms up a cosine schedule: add --schedule cosine.`);
  const loss = override<LossName>('loss', preset.loss, () => {
    try {
      return parseLoss(options.loss!);
    } catch (error) {
      throw new UsageError(`--loss ${JSON.stringify(options.loss)} is not a known loss: ${(error as Error).message.replace(/^[^:]*: /, '')}`);
    }
  });
  const epochs = override('epochs', preset.epochs, () => values.positiveInteger(options.epochs!, '--epochs', 'number of epochs'));
  const batchSize = override('batchSize', preset.batchSize, () => values.positiveInteger(options.batchSize!, '--batch-size', 'batch size'));
  const seed = options.seed !== undefined ? values.seed(options.seed, '--seed') : null;
  const limit = options.limit !== undefined ? values.positiveInteger(options.limit, '--limit', 'number of training images') : null;

  let verbose: 0 | 1 | 2 = 1;
  if (options.verbose !== undefined) {
    if (options.quiet) throw new UsageError('--quiet and --verbose contradict each other: give one of them.');
    const level = String(options.verbose).trim();
    if (level !== '0' && level !== '1' && level !== '2') {
      throw new UsageError(`--verbose ${JSON.stringify(String(options.verbose))} is invalid: use 0 (silent), 1 (progress bar) or 2 (one line per epoch).`);
    }
    verbose = Number(level) as 0 | 1 | 2;
  } else if (options.quiet) {
    verbose = 0;
  }

  // Notebook 000 trained on all 70,000 images; asking for other data replaces that.
  let data = parseDataSource(options.data);
  if (options.data === undefined && preset.data === 'combined') data = { kind: 'combined' };
  const split = options.validationSplit !== undefined
    ? values.openFraction(options.validationSplit, '--validation-split', 'validation split')
    : undefined;
  if (split !== undefined && options.validateOnTest) {
    throw new UsageError('--validation-split and --validate-on-test contradict each other: give one of them.');
  }
  let validation: ValidationPlan;
  let evaluateOn: 'test' | 'validation' = 'test';
  if (data.kind === 'csv' || data.kind === 'combined') {
    const what = data.kind === 'csv' ? `${basename(data.path)} has no test set` : `Preset ${preset.name} trains on all 70,000 MNIST images, so there is no test set`;
    if (options.validateOnTest) throw new UsageError(`--validate-on-test is not possible: ${what.replace(/^Preset/, 'preset')}; use --validation-split F instead.`);
    const fraction = split ?? (typeof preset.validation === 'number' ? preset.validation : DEFAULT_CSV_SPLIT);
    validation = { kind: 'split', fraction };
    evaluateOn = 'validation';
    notes.push(`${what}: the final loss and accuracy are on the last ${formatPercent(fraction, 0)} held out for validation.`);
  } else if (split !== undefined) {
    validation = { kind: 'split', fraction: split };
  } else if (options.validateOnTest) {
    validation = { kind: 'test' };
  } else if (preset.validation === 'test') {
    validation = { kind: 'test' };
  } else if (typeof preset.validation === 'number') {
    validation = { kind: 'split', fraction: preset.validation };
  } else {
    validation = { kind: 'none' };
  }
  if (split !== undefined) overrides.push('validationSplit');
  if (options.validateOnTest) overrides.push('validateOnTest');

  const patience = override<number | null>('earlyStopping', preset.earlyStoppingPatience, () =>
    values.nonNegativeInteger(options.earlyStopping!, '--early-stopping', 'patience (epochs without improvement)'),
  );
  if (options.restoreBest && patience === null) {
    throw new UsageError(`--restore-best only applies with early stopping: add --early-stopping PATIENCE (preset ${preset.name} does not stop early).`);
  }
  if (patience !== null && validation.kind === 'none') {
    throw new UsageError('--early-stopping watches the validation loss, but nothing is validated: add --validation-split F or --validate-on-test.');
  }
  if (options.restoreBest) overrides.push('restoreBest');
  if (options.limit !== undefined) overrides.push('limit');
  if (options.data !== undefined) overrides.push('data');
  const precision = options.precision === undefined ? 'fp32' : values.oneOf(options.precision, TRAIN_PRECISIONS, '--precision', 'precision');
  if (precision !== 'fp32') overrides.push('precision');

  return {
    preset: preset.name,
    notebook: preset.notebook,
    hidden,
    inputShape: [...preset.inputShape],
    activation,
    optimizer,
    learningRate,
    weightDecay,
    augment,
    schedule,
    warmupEpochs,
    backupDir: options.backupDir ?? null,
    loss,
    epochs,
    batchSize,
    validation,
    evaluateOn,
    earlyStopping: patience === null ? null : { patience, restoreBest: options.restoreBest ?? false },
    seed,
    limit,
    data,
    save: options.save ?? null,
    json: options.json ?? null,
    report: options.report ?? null,
    verbose,
    precision,
    overrides,
    notes,
  };
}

/** The figures `--json` writes. */
export interface TrainResult {
  config: TrainConfig;
  engine: string;
  params: number;
  /** Epochs actually run (fewer than asked when early stopping ends training). */
  epochs: number;
  fitSeconds: number;
  history: { loss: number[]; accuracy: number[]; val_loss?: number[]; val_accuracy?: number[] };
  /** On the test set, or the validation split when the data has none (see evaluatedOn). */
  test: { loss: number; accuracy: number };
  evaluatedOn: 'test set' | 'validation split';
  trainSamples: number;
  savedTo: string | null;
}

function describeValidation(config: TrainConfig, trainCount: number, testCount: number): string {
  switch (config.validation.kind) {
    case 'test':
      return `validating on the ${formatCount(testCount)} test images each epoch`;
    case 'split':
      // Say what trains: with 80% held out, "2,000 training images" alone would overstate it fivefold.
      return `holding out the last ${formatPercent(config.validation.fraction, 0)} for validation, which leaves ${formatCount(validationSplitIndex(trainCount, config.validation.fraction))} to train on`;
    case 'none':
      return 'without validation';
  }
}

function layerText(config: TrainConfig): string {
  const details = (layer: HiddenLayer): string[] => [...(layer.batchNormalization ? ['batch normalization'] : []), ...(layer.dropout ? [`dropout ${layer.dropout}`] : [])];
  return config.hidden.map((layer) => `${layer.units}${details(layer).length > 0 ? ` (${details(layer).join(', ')})` : ''}`).join(', ') || 'none';
}

/** The experiment the runner trains for a train config, on the images the config's --data gave. */
export function trainExperiment(config: TrainConfig, images: ResolvedExperiment['data']): ResolvedExperiment {
  const base = resolveExperiment(config.preset);
  return {
    ...base,
    hidden: config.hidden.map((layer) => ({ ...layer })),
    activation: config.activation,
    inputShape: [...config.inputShape],
    optimizer: config.optimizer,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    augment: config.augment,
    schedule: config.schedule,
    warmupEpochs: config.warmupEpochs,
    loss: config.loss,
    epochs: config.epochs,
    batchSize: config.batchSize,
    validation: config.validation.kind === 'split' ? config.validation.fraction : config.validation.kind === 'test' ? 'test' : null,
    earlyStoppingPatience: config.earlyStopping?.patience ?? null,
    restoreBest: config.earlyStopping?.restoreBest ?? false,
    data: images,
    limit: config.limit,
    seed: config.seed,
    reported: figureUnlessChanged(base.reported, config.overrides),
  };
}

/** Runs the training the config describes, printing as it goes. */
export async function runTrain(config: TrainConfig): Promise<TrainResult> {
  checkDistinctOutputs([
    { option: '--save', path: config.save },
    { option: '--json', path: config.json },
    { option: '--report', path: config.report },
  ]);
  if (config.save) checkOutputFile(config.save, '--save');
  if (config.json) checkOutputFile(config.json, '--json');
  if (config.report) checkOutputFolder(config.report, '--report');
  if (config.backupDir) checkOutputFolder(config.backupDir, '--backup-dir');
  // Layers take the policy when they are built, which runResolvedExperiment does below.
  setGlobalPolicy(config.precision === 'bf16' ? 'mixed_bfloat16' : 'float32');
  const engineText = describeEngine(getEngine());
  const talk = config.verbose > 0;
  if (talk) print(`Engine: ${engineText}`);
  const loaded = loadData(config.data);

  // Ctrl-C: the first asks fit to stop after the current batch, then the model trained so far is
  // measured and kept as if training had ended there (as Keras's fit leaves the model with its
  // current weights). The handler then removes itself, so that a second Ctrl-C has the default
  // effect and ends the process at once, even in the middle of the (synchronous) evaluation.
  const interruption = new AbortController();
  const onInterrupt = (): void => {
    process.off('SIGINT', onInterrupt);
    interruption.abort();
    const kept = config.save ? ` and saved to ${config.save}` : '';
    process.stderr.write(`\ndigitnet: stopping after this batch; the model trained so far will be evaluated${kept} (press Ctrl-C again to quit at once).\n`);
  };
  let result: ExperimentResult;
  try {
    result = await runResolvedExperiment(trainExperiment(config, loaded), {
      verbose: config.verbose,
      progressStream: process.stdout,
      signal: interruption.signal,
      ...(config.backupDir ? { backupDir: config.backupDir } : {}),
      onModel: (model, _experiment, data) => {
        // A format that cannot hold the model says so now, not after the training.
        if (config.save) {
          try {
            checkSavable(model, config.save);
          } catch (error) {
            throw new UsageError(`--save ${config.save} cannot hold this model: ${plainErrorMessage(error).replace(/^Cannot write [^:]*: /, '')}`);
          }
        }
        if (talk) printPlan(config, model, loaded, data);
        // Only now: a Ctrl-C while the data loads still ends the process at once.
        process.on('SIGINT', onInterrupt);
      },
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (result.interrupted && talk) print(`Training was stopped by Ctrl-C in epoch ${result.epochsRun} of ${config.epochs}; keeping the model as trained so far.`);
  if (result.stoppedEpoch !== undefined && talk) {
    print(`Early stopping after epoch ${result.stoppedEpoch + 1}${result.bestEpoch !== undefined ? `; restored the weights of epoch ${result.bestEpoch + 1}` : ''}.`);
  } else if (result.bestEpoch !== undefined && talk) {
    print(`Restored the weights of the best epoch, ${result.bestEpoch + 1}.`);
  }

  const diverged = !Number.isFinite(result.history.loss.at(-1) ?? 0);
  if (diverged) process.stderr.write('digitnet: warning: training diverged (the loss is NaN or infinite), so the model predicts nothing useful; try a smaller --lr.\n');

  // From here on, nothing that failed stops the rest: a trained model and its figures are kept
  // wherever they can be, and the problems are reported together at the end.
  const problems: string[] = [];
  let interruptedWhileWriting = false;
  // A Ctrl-C while the model is written waits for it (the file appears whole or not at all), then stops.
  const onInterruptWhileWriting = (): void => {
    interruptedWhileWriting = true;
    process.stderr.write('\ndigitnet: finishing the model file being written, then stopping.\n');
  };
  let savedTo: string | null = null;
  if (config.save) {
    process.on('SIGINT', onInterruptWhileWriting);
    try {
      savedTo = saveWithFallback(result.model, config.save, problems);
    } finally {
      process.off('SIGINT', onInterruptWhileWriting);
    }
  }
  const history = result.history;
  const evaluatedOn = result.evaluatedOn === 'test' ? 'test set' : 'validation split';
  const trainResult: TrainResult = {
    config,
    engine: engineText,
    params: result.parameters,
    epochs: result.epochsRun,
    fitSeconds: result.seconds,
    history: {
      loss: history.loss,
      accuracy: history.accuracy,
      ...(history.history.val_loss ? { val_loss: history.val_loss, val_accuracy: history.val_accuracy } : {}),
    },
    test: { loss: result.testLoss, accuracy: result.testAccuracy },
    evaluatedOn,
    trainSamples: result.trainLabels.length,
    savedTo,
  };
  let jsonWritten = false;
  if (config.json) {
    // As --save: an interrupted write leaves the earlier file or the whole new one, never half of it.
    try {
      writeFileAtomic(config.json, `${JSON.stringify(trainResult, null, 2)}\n`);
      jsonWritten = true;
    } catch (error) {
      problems.push(`--json: ${(error as Error).message}`);
    }
  }
  if (config.report) {
    try {
      const { writeRunReport } = await import('../../report/report-html.js');
      const written = await writeRunReport(
        config.report,
        experimentReportInput(result, {
          title: `digitnet train --preset ${config.preset}`,
          settings: reportSettings(config, loaded.name, result.trainLabels.length),
          timings: { fit: result.seconds },
        }),
      );
      if (talk) print(`Report written to ${written.htmlPath}`);
    } catch (error) {
      problems.push(`--report: ${plainErrorMessage(error)}`);
    }
  }

  const label = evaluatedOn === 'test set' ? 'Test' : 'Validation';
  print(`${label} loss: ${result.testLoss.toFixed(4)} - ${label.toLowerCase()} accuracy: ${result.testAccuracy.toFixed(4)} (${formatPercent(result.testAccuracy)})`);
  if (talk) {
    if (result.reported && !result.interrupted) print(`Notebook ${config.notebook} reported ${reportedFigure(findPreset(config.preset))} accuracy for this model.`);
    print(`Trained ${plural(result.epochsRun, 'epoch')} in ${result.seconds.toFixed(1)} s.`);
  }
  if (savedTo) print(`Model saved to ${savedTo}`);
  else if (!config.save) print('Model not saved (add --save FILE to keep it).');
  if (jsonWritten && talk) print(`Run written to ${config.json}`);

  if (problems.length > 0) throw new CliError(problems.join(' '));
  if (interruptedWhileWriting) throw new CliError(`Stopped by Ctrl-C after saving the model to ${savedTo}.`, EXIT_INTERRUPTED);
  if (result.interrupted) {
    throw new CliError(`Training was stopped by Ctrl-C in epoch ${result.epochsRun} of ${config.epochs}; ${savedTo ? `the model trained so far was saved to ${savedTo}` : 'the model trained so far was evaluated but not saved (no --save)'}.`, EXIT_INTERRUPTED);
  }
  return trainResult;
}

/** What is about to be trained on what, and the model's summary. */
function printPlan(config: TrainConfig, model: Sequential, loaded: LoadedData, data: ExperimentData): void {
  if (!isCrossentropy(config.loss)) print('Note: meanSquaredError on softmax outputs trains slowly; the notebooks used cross-entropy.');
  const train = data.train;
  const limited = config.limit !== null && config.limit < loaded.train.count ? ` (the first ${formatCount(train.count)} of ${formatCount(loaded.train.count)})` : '';
  print(`Data: ${loaded.name}, ${formatCount(train.count)} training images${limited}, ${describeValidation(config, train.count, data.test?.count ?? 0)}.`);
  for (const note of config.notes) print(`Note: ${note}`);
  print(
    `Settings: preset ${config.preset} (${config.notebook === 'recipe' ? 'the recipe, docs/recipe.md' : `notebook ${config.notebook}`})${config.overrides.length > 0 ? ` with --${config.overrides.map(kebab).join(', --')}` : ''}; ` +
      `hidden layers ${layerText(config)}, ${config.activation}; ${config.optimizer}` +
      `${config.learningRate !== null ? ` (learning rate ${config.learningRate})` : ''}` +
      `${config.weightDecay !== null ? `, weight decay ${config.weightDecay}` : ''}${config.schedule !== 'constant' ? `, ${config.schedule} schedule${config.warmupEpochs ? ` after ${plural(config.warmupEpochs, 'epoch')} of warm-up` : ''}` : ''}` +
      `, ${config.loss}, ${plural(config.epochs, 'epoch')}` +
      `${config.earlyStopping ? ` at most, early stopping after ${plural(config.earlyStopping.patience, 'epoch')} without improvement${config.earlyStopping.restoreBest ? ' (best weights restored)' : ''}` : ''}, batch ${config.batchSize}.`,
  );
  print(model.summaryText());
}

function reportSettings(config: TrainConfig, dataName: string, trainSamples: number): Record<string, string | number | boolean | null> {
  return {
    preset: config.preset,
    notebook: config.notebook,
    data: dataName,
    'training images': trainSamples,
    'hidden layers': layerText(config),
    activation: config.activation,
    optimizer: config.optimizer,
    'learning rate': config.learningRate ?? 'Keras default',
    'weight decay': config.weightDecay ?? 'Keras default',
    'learning-rate schedule': config.schedule,
    'warm-up epochs': config.warmupEpochs,
    loss: config.loss,
    epochs: config.epochs,
    'batch size': config.batchSize,
    validation: config.validation.kind === 'split' ? `last ${config.validation.fraction} of the training images` : config.validation.kind,
    'early stopping': config.earlyStopping ? `patience ${config.earlyStopping.patience}${config.earlyStopping.restoreBest ? ', restore best' : ''}` : 'none',
    seed: config.seed,
  };
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a dense network on MNIST (or your own digits) and report its test accuracy')
    .option('-p, --preset <name>', `start from a seed notebook's model and settings (default ${DEFAULT_PRESET})`)
    .option('--layers <sizes>', "hidden layer sizes, comma-separated, e.g. 512,512 (each keeps the dropout of the preset's layer in its place, unless --dropout)")
    .option('--dropout <rate>', 'dropout after every hidden layer, in [0, 1)')
    .option('--activation <name>', `hidden-layer activation: ${HIDDEN_ACTIVATIONS.join(', ')}`)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`)
    .option('--lr <rate>', "learning rate (default: the optimizer's Keras default)")
    .option('--weight-decay <rate>', "the optimizer's decoupled weight decay, Keras's weight_decay (adamw's default 0.004, the others' 0)")
    .option('--augment <spec>', 'augment the training images inside the model: rotation=DEGREES, zoom=FRACTION, translation=FRACTION, elastic[=ALPHA/SIGMA], comma-separated (e.g. rotation=10,elastic)')
    .option('--schedule <name>', `learning-rate schedule: ${SCHEDULE_CHOICES.join(', ')} (cosine decays the rate to 0 over all the training's steps)`)
    .option('--warmup-epochs <n>', 'with --schedule cosine: epochs in which the rate first rises linearly from 1% of it to it')
    .option('--backup-dir <dir>', 'back the training up in this folder at each epoch; running the same command again resumes it exactly')
    .option('--loss <name>', 'loss: categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError')
    .option('-e, --epochs <n>', 'number of epochs')
    .option('-b, --batch-size <n>', 'samples per gradient step')
    .option('--validation-split <fraction>', 'hold out this last fraction of the training images for validation, in (0, 1)')
    .option('--validate-on-test', 'validate on the test set after every epoch')
    .option('--early-stopping <patience>', 'stop after this many epochs without a lower validation loss')
    .option('--restore-best', 'with early stopping, keep the weights of the best epoch')
    .option('--seed <n>', 'seed for the initial weights, shuffling and dropout (reproducible runs)')
    .option('--limit <n>', 'train on the first N images only')
    .option('--data <source>', DATA_HELP)
    .option('-o, --save <file>', 'save the trained model to this .safetensors file')
    .option('--json <file>', 'write the configuration, history and test figures to this JSON file')
    .option('--report <dir>', 'write report.html with the curves, confusion matrix and per-class table into this folder')
    .option('-q, --quiet', 'print only the final result')
    .option('--verbose <level>', '0 silent, 1 progress bar (default), 2 one line per epoch')
    .option('--precision <name>', 'fp32 (default) or bf16: bf16 matrix inputs with fp32 weights, optimizer state and sums (Keras\'s mixed_bfloat16)')
    .addHelpText('after', `\nPresets (* = default; options given override the preset's values):\n${formatPresetList()}\n`)
    .action(async (options: TrainOptions) => {
      await runTrain(resolveTrainConfig(options));
    });
}
