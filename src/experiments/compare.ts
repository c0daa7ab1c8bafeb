/**
 * Several experiments one after another, as notebook 002 compared its models: a table of
 * parameters, epochs, time and test figures beside the notebooks' own, and the validation
 * curves overlaid. The report is rewritten after every run, so an interrupted comparison
 * keeps every run that finished.
 */
import { readRegularFile } from '../io/read-file.js';
import type { Logs } from '../callbacks/callback.js';
import { describeEngine, getEngine } from '../engine/select.js';
import { NOTEBOOK_PRESETS } from '../models/presets.js';
import { writeCompareReport, type CompareReportResult } from '../report/compare-html.js';
import { formatPercent, formatSeconds, formatSeedRange } from '../report/tables.js';
import type { CompareRow, CompareRun } from '../report/types.js';
import { trainingHistoryOf } from '../report/from-model.js';
import { formatValue, oneLine, plainErrorMessage } from '../validation.js';
import { hiddenLayersLabel, resolveExperiment, type ExperimentConfig, type ResolvedExperiment } from './configs.js';
import { runResolvedExperiment, type ExperimentResult } from './run.js';

export interface ComparisonProgress {
  /** 'start' before a run trains, 'epoch' after each epoch, 'done' or 'failed' when it ends. */
  kind: 'start' | 'epoch' | 'done' | 'failed';
  /** 1-based position of the run, and how many there are. */
  run: number;
  runs: number;
  name: string;
  /** With several seeds: the run's seed, its 1-based position among them, and how many there are. */
  seed?: number;
  seedIndex?: number;
  seedCount?: number;
  /** 1-based epoch just finished, and the run's planned epochs ('epoch' events). */
  epoch?: number;
  epochs?: number;
  logs?: Logs;
  /** Seconds left for the whole comparison, estimated from the runs so far; unknown before the first epoch. */
  etaSeconds?: number;
  /** The finished run's row ('done' and 'failed'). */
  row?: CompareRow;
  /** The event as one line, e.g. "run 3/15 baseline-32 · epoch 2/6 · val_acc 95.12% · ETA 4 min 10 s" (with seeds, "run 3/15 baseline-32 · seed 7 (2/5) · epoch 2/6 …"). */
  message: string;
}

export interface ComparisonOptions {
  /** Folder for compare.html, compare.json, compare.csv and the curves chart; nothing is written when omitted. */
  out?: string;
  /** Progress events; by default their message is written to stderr, one line each. */
  onProgress?: (event: ComparisonProgress) => void;
  /** Aborting (Ctrl-C) stops the current run after its current batch; it is left out, and no further run starts. */
  signal?: AbortSignal;
  /** Trains every run on at most this many images. */
  limit?: number;
  /** Trains every run for at most this many epochs. */
  maxEpochs?: number;
  /** Seeds every run that has no seed of its own. */
  seed?: number;
  /**
   * Trains every configuration once per seed (its own seed, if any, is overridden) and gives it one
   * row: the mean test accuracy and loss, seconds and epochs per run, with each seed's accuracy.
   * The curves shown are the first seed's. One training run says little about a difference of a few
   * tenths of a point; the spread over seeds says how much.
   */
  seeds?: readonly number[];
  /** compare.html's heading. */
  title?: string;
  /** Called with each successful run's result (its model included) before the next starts, e.g. to save the model; with several seeds, once per seed. */
  onResult?: (result: ExperimentResult) => void | Promise<void>;
}

export interface ComparisonResult {
  /** One row per finished run, in order; a failed run's row carries its error. */
  rows: CompareRow[];
  /** The histories of the runs that trained. */
  runs: CompareRun[];
  /** True when the signal ended the comparison early. */
  aborted: boolean;
  /** The last report written, when `out` was given and a run finished. */
  report?: CompareReportResult;
}

/** Every model of the seed notebooks with its notebook's settings, including notebook 000's 20% vs 75% training share. */
export function builtInComparison(): ExperimentConfig[] {
  return NOTEBOOK_PRESETS.map((preset) => preset.name);
}

function configLabel(config: unknown, index: number): string {
  if (typeof config === 'string') return config;
  if (typeof config === 'object' && config !== null) {
    const record = config as Record<string, unknown>;
    if (typeof record.name === 'string' && record.name.trim() !== '') return record.name.trim();
    if (typeof record.preset === 'string') return record.preset;
  }
  return `run ${index + 1}`;
}

function runContext(config: unknown, index: number): string {
  const label = configLabel(config, index);
  return label === `run ${index + 1}` ? label : `run ${index + 1} (${JSON.stringify(label)})`;
}

/** Roughly how much arithmetic a run does, to spread the time of the runs so far over the rest. */
interface PlannedWork {
  perEpoch: number;
  /** The epochs a run is expected to train: its cap, or a guess when early stopping watches it. */
  epochs: number;
  /** Epochs a run may train at most. */
  cap: number;
  patience: number | null;
}

/**
 * Epochs still to come in a run at its epoch `done` (1-based), never 0 while it trains: past the
 * guess, an early-stopped run goes on at least `patience` epochs more if nothing improves from now
 * (it may go on to its cap), so that is what it counts, rather than nothing.
 */
export function epochsStillAhead(work: PlannedWork, done: number): number {
  const guessed = work.epochs - done;
  if (work.patience === null || guessed > 0) return Math.max(0, guessed);
  return Math.min(work.cap, done + Math.max(1, work.patience)) - done;
}

export function plannedWork(experiment: ResolvedExperiment, options: ComparisonOptions): PlannedWork {
  const available = experiment.data === 'combined' ? 70000 : 60000;
  const limit = Math.min(available, experiment.limit ?? Infinity, options.limit ?? Infinity);
  const trainShare = typeof experiment.validation === 'number' ? 1 - experiment.validation : 1;
  const widths = [experiment.inputShape.reduce((product, dimension) => product * dimension, 1), ...experiment.hidden.map((layer) => layer.units), 10];
  let parameters = 0;
  for (let layer = 1; layer < widths.length; layer++) parameters += (widths[layer - 1]! + 1) * widths[layer]!;
  const epochs = Math.min(experiment.epochs, options.maxEpochs ?? Infinity);
  // Early stopping usually ends these runs well before a cap like 200; a guess, corrected as runs finish.
  const expectedEpochs = experiment.earlyStoppingPatience === null ? epochs : Math.min(epochs, experiment.earlyStoppingPatience + 12);
  return { perEpoch: parameters * limit * trainShare, epochs: expectedEpochs, cap: epochs, patience: experiment.earlyStoppingPatience };
}

function formatMetric(logs: Logs | undefined): string {
  if (!logs) return '';
  const validation = logs.val_accuracy ?? logs.val_acc;
  const accuracy = validation ?? logs.accuracy ?? logs.acc;
  if (accuracy === undefined) return '';
  return ` · ${validation !== undefined ? 'val_acc' : 'acc'} ${(accuracy * 100).toFixed(2)}%`;
}

function progressMessage(event: Omit<ComparisonProgress, 'message'>): string {
  const seed = event.seed === undefined ? '' : ` · seed ${event.seed} (${event.seedIndex}/${event.seedCount})`;
  const head = `run ${event.run}/${event.runs} ${event.name}${seed}`;
  const eta = event.etaSeconds === undefined ? '' : ` · ETA ${formatSeconds(event.etaSeconds)}`;
  switch (event.kind) {
    case 'start':
      return `${head} · starting${eta}`;
    case 'epoch':
      return `${head} · epoch ${event.epoch}/${event.epochs}${formatMetric(event.logs)}${eta}`;
    case 'done': {
      const row = event.row!;
      if (row.seeds && row.seedAccuracies) {
        return `${head} · done, ${row.seeds.length} seeds of ${formatSeconds(row.seconds)} each · mean accuracy ${formatPercent(row.testAccuracy)} (${formatSeedRange(row.seedAccuracies)})${eta}`;
      }
      const accuracy = row.testAccuracy === undefined ? '' : ` · accuracy ${(row.testAccuracy * 100).toFixed(2)}%`;
      return `${head} · done in ${formatSeconds(row.seconds)}${accuracy}${eta}`;
    }
    case 'failed':
      return `${head} · failed: ${event.row?.error ?? 'unknown error'}${eta}`;
  }
}

function rowOf(result: ExperimentResult): CompareRow {
  const reported = result.reported;
  return {
    name: result.name,
    hiddenLayers: result.hiddenLayers,
    parameters: result.parameters,
    epochsRun: result.epochsRun,
    seconds: result.seconds,
    testLoss: result.testLoss,
    testAccuracy: result.testAccuracy,
    ...(reported ? { reportedAccuracy: reported.accuracy, reportedSource: reported.source } : {}),
    ...(reported?.loss !== undefined ? { reportedLoss: reported.loss } : {}),
  };
}

function checkSeeds(seeds: readonly number[]): void {
  if (!Array.isArray(seeds) || seeds.length === 0) throw new Error(`runComparison(): seeds must be a non-empty array of seeds; got ${formatValue(seeds)}.`);
  for (const seed of seeds) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`runComparison(): seed ${formatValue(seed)} is invalid: seeds are whole numbers from 0 to 4294967295.`);
    }
  }
  const repeated = seeds.find((seed, index) => seeds.indexOf(seed) !== index);
  if (repeated !== undefined) throw new Error(`runComparison(): seed ${repeated} is given twice; each seed trains the same model, so give it once.`);
}

/** One row for a configuration trained with several seeds: means, and each seed's accuracy. */
function seedsRowOf(results: readonly ExperimentResult[], seeds: readonly number[]): CompareRow {
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const first = rowOf(results[0]!);
  return {
    ...first,
    epochsRun: mean(results.map((result) => result.epochsRun)),
    seconds: mean(results.map((result) => result.seconds)),
    testLoss: mean(results.map((result) => result.testLoss)),
    testAccuracy: mean(results.map((result) => result.testAccuracy)),
    seeds: [...seeds],
    seedAccuracies: results.map((result) => result.testAccuracy),
  };
}

/** Names that appear twice get " (2)", " (3)" … so the table and the curves tell them apart. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name} (${count})`;
  });
}

/**
 * Runs the configurations one after another. A run that fails (a bad configuration, an error
 * while training) gets a row with its error and the others go on. With `out`, the report is
 * rewritten after each run.
 */
export async function runComparison(configs: readonly ExperimentConfig[], options: ComparisonOptions = {}): Promise<ComparisonResult> {
  if (!Array.isArray(configs) || configs.length === 0) throw new Error('runComparison() needs at least one configuration; got none.');
  if (options.seeds !== undefined) checkSeeds(options.seeds);
  const onProgress = options.onProgress ?? ((event: ComparisonProgress) => process.stderr.write(event.message + '\n'));
  const planned = configs.map((config, index): { experiment: ResolvedExperiment } | { error: string } => {
    try {
      return { experiment: resolveExperiment(config, runContext(config, index)) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
  const names = uniqueNames(planned.map((plan, index) => ('experiment' in plan ? plan.experiment.name : configLabel(configs[index], index))));
  const seeds: readonly (number | undefined)[] = options.seeds && options.seeds.length > 0 ? options.seeds : [undefined];
  // Each configuration trains once per seed; the ETA counts every one of those runs.
  const runWork = planned.map((plan) => ('experiment' in plan ? plannedWork(plan.experiment, options) : { perEpoch: 0, epochs: 0, cap: 0, patience: null }));
  const work = runWork.map((entry) => ({ perEpoch: entry.perEpoch * seeds.length, epochs: entry.epochs }));

  const rows: CompareRow[] = [];
  const runs: CompareRun[] = [];
  let report: CompareReportResult | undefined;
  let engine: string | undefined;
  // Seconds per unit of work, from every epoch trained so far.
  let secondsDone = 0;
  let workDone = 0;
  // Seconds left: the rate so far times the work still to do. A finished configuration's work is
  // already in workDone; `epochsDoneInCurrent` counts the epochs of all its seeds so far.
  const eta = (current: number, epochsDoneInCurrent: number, secondsInCurrent: number, finished = false, epochOfSeed?: number): number | undefined => {
    const perRunEpoch = runWork[current]!.perEpoch;
    const currentWork = finished ? 0 : perRunEpoch * epochsDoneInCurrent;
    const totalWork = workDone + currentWork;
    if (totalWork === 0) return undefined;
    const rate = (secondsDone + (finished ? 0 : secondsInCurrent)) / totalWork;
    let remaining = finished ? 0 : perRunEpoch * Math.max(0, work[current]!.epochs * seeds.length - epochsDoneInCurrent);
    // The seed training now has at least this much left, however far past the guess it went.
    if (!finished && epochOfSeed !== undefined) remaining = Math.max(remaining, perRunEpoch * epochsStillAhead(runWork[current]!, epochOfSeed));
    for (let later = current + 1; later < work.length; later++) remaining += work[later]!.perEpoch * work[later]!.epochs;
    return rate * remaining;
  };

  const writeReport = async (): Promise<void> => {
    if (options.out === undefined) return;
    engine ??= describeEngine(getEngine());
    report = await writeCompareReport(options.out, rows, runs, { engine, ...(options.title ? { title: options.title } : {}) });
  };
  const emit = (event: Omit<ComparisonProgress, 'message'>): void => onProgress({ ...event, message: progressMessage(event) });

  let aborted = false;
  configurations: for (let index = 0; index < configs.length; index++) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const plan = planned[index]!;
    const name = names[index]!;
    const position = { run: index + 1, runs: configs.length, name };
    if ('error' in plan) {
      const row: CompareRow = { name, hiddenLayers: '?', error: plan.error };
      rows.push(row);
      emit({ kind: 'failed', ...position, row, etaSeconds: eta(index, 0, 0, true) });
      await writeReport();
      continue;
    }
    const results: ExperimentResult[] = [];
    let failure: CompareRow | undefined;
    // Epochs and seconds of this configuration's earlier seeds, for the ETA.
    let epochsBefore = 0;
    let secondsBefore = 0;
    for (const [seedIndex, seed] of seeds.entries()) {
      const experiment = { ...plan.experiment, name, ...(seed !== undefined ? { seed } : {}) };
      const seedPosition = seed === undefined ? position : { ...position, seed, seedIndex: seedIndex + 1, seedCount: seeds.length };
      emit({ kind: 'start', ...seedPosition, etaSeconds: eta(index, epochsBefore, secondsBefore) });
      const started = performance.now();
      let epochsDone = 0;
      try {
        const result = await runResolvedExperiment(experiment, {
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
          ...(options.maxEpochs !== undefined ? { maxEpochs: options.maxEpochs } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onEpoch: (epoch, epochs, logs) => {
            epochsDone = epoch;
            const seconds = secondsBefore + (performance.now() - started) / 1000;
            emit({ kind: 'epoch', ...seedPosition, epoch, epochs, logs, etaSeconds: eta(index, epochsBefore + epoch, seconds, false, epoch) });
          },
        });
        if (result.interrupted) {
          aborted = true;
          break configurations;
        }
        results.push(result);
        epochsBefore += result.epochsRun;
        secondsBefore += result.seconds;
        engine = result.engine;
        await options.onResult?.(result);
      } catch (error) {
        if (options.signal?.aborted) {
          aborted = true;
          break configurations;
        }
        epochsBefore += epochsDone;
        secondsBefore += (performance.now() - started) / 1000;
        const message = plainErrorMessage(error);
        failure = { name, hiddenLayers: hiddenLayersLabel(experiment.hidden), error: seed === undefined ? message : `seed ${seed}: ${message}` };
        break;
      }
    }
    secondsDone += secondsBefore;
    workDone += runWork[index]!.perEpoch * epochsBefore;
    const row = failure ?? (seeds[0] === undefined ? rowOf(results[0]!) : seedsRowOf(results, seeds as number[]));
    rows.push(row);
    // The curves are the first seed's, and only for a model whose every seed trained.
    if (!failure) runs.push({ name, history: trainingHistoryOf(results[0]!.history) });
    emit({ kind: failure ? 'failed' : 'done', ...position, row, etaSeconds: eta(index, 0, 0, true) });
    await writeReport();
  }
  return { rows, runs, aborted, ...(report ? { report } : {}) };
}

export interface LoadComparisonOptions {
  /**
   * Keeps runs whose settings are wrong instead of throwing, so runComparison gives each an
   * error row and runs the others. File-level problems (not JSON, no "runs") always throw.
   */
  lenient?: boolean;
}

// A list of runs, not data: a larger file is not a comparison file.
const MAX_COMPARISON_FILE_BYTES = 16 * 2 ** 20;

/**
 * Reads a comparison file: `{ "runs": [ "baseline-32", { "preset": "baseline-512", "epochs": 1 },
 * { "name": "wide", "hidden": [{ "units": 1024 }], "optimizer": "adam", "loss": "categorical_crossentropy", "epochs": 3 } ] }`.
 * Throws naming the file, the run and the field when something is wrong.
 */
export function loadComparisonFile(path: string, options: LoadComparisonOptions = {}): ExperimentConfig[] {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { maxBytes: MAX_COMPARISON_FILE_BYTES, what: 'comparison file', missing: `Comparison file ${path} not found.` });
  } catch (error) {
    if (/ is a folder, /.test((error as Error).message)) throw new Error(`Comparison file ${path} is a folder; give a JSON file like { "runs": [ ... ] }.`);
    throw error;
  }
  let parsed: unknown;
  try {
    // An editor may start the file with a UTF-8 byte-order mark, which JSON.parse refuses.
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`Comparison file ${path} is not valid JSON: ${oneLine((error as Error).message).replace(/\.$/, '')}.`);
  }
  return parseComparison(parsed, path, options);
}

/** As loadComparisonFile, for the file's already-parsed JSON; `source` names it in errors. */
export function parseComparison(value: unknown, source = 'comparison', options: LoadComparisonOptions = {}): ExperimentConfig[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} must hold an object like { "runs": [ ... ] }; got ${formatValue(value)}.`);
  }
  const unknownKeys = Object.keys(value).filter((key) => key !== 'runs');
  if (unknownKeys.length > 0) {
    throw new Error(`${source} has unknown key ${unknownKeys.map((key) => JSON.stringify(key)).join(', ')}; allowed is "runs".`);
  }
  const runs = (value as { runs?: unknown }).runs;
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new Error(`${source} needs "runs": a non-empty array of preset names or run objects; got ${formatValue(runs)}.`);
  }
  const problems: string[] = [];
  const names: string[] = [];
  runs.forEach((run, index) => {
    try {
      names.push(resolveExperiment(run, `${source}: ${runContext(run, index)}`).name);
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  if (problems.length > 0 && !options.lenient) {
    const more = problems.length > 1 ? ` (${problems.length - 1} more run${problems.length > 2 ? 's have' : ' has'} problems too)` : '';
    throw new Error(problems[0]!.replace(/\.$/, '') + more + '.');
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined && !options.lenient) {
    throw new Error(`${source}: two runs are named ${JSON.stringify(duplicate)}; give each run its own "name".`);
  }
  return runs as ExperimentConfig[];
}
