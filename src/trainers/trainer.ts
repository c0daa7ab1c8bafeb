import type { Callback, Logs, TrainingParams } from '../callbacks/callback.js';
import { CallbackList } from '../callbacks/callback-list.js';
import { History } from '../callbacks/history.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import { tensor, type Tensor } from '../data/tensor.js';
import { STAT_CORRECT, STAT_LOSS_SUM } from '../engine/engine.js';
import type { Loss } from '../losses/loss-options.js';
import { takesLabels, type LossName } from '../losses/losses.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { isQuantized, withInferencePrecision } from '../precision/inference.js';
import { Random } from '../random/rng.js';
import { resolveSeed } from '../random/seed.js';
import { parseOptions } from '../validation.js';
import { BatchStep, ForwardPass } from './batch-step.js';
import { resolveFeatures, resolveTargets, type Features, type TargetInput, type Targets } from './data-adapters/array-data-adapter.js';
import { matchFeatures, matchTargets } from './data-adapters/model-match.js';
import { resolveSampleWeights, withSmoothedTargets } from './data-adapters/sample-weights.js';
import { validationSplitIndex } from './data-adapters/validation-split.js';
import { EpochIterator, identityIndices } from './epoch-iterator.js';
import { FitLoop } from './fit-loop.js';
import { lossPlanFor, type LossPlan } from './loss-plan.js';
import { CompiledMetrics } from '../metrics/compiled-metrics.js';
import { evaluateSchema, fitSchema, type EvaluateOptions, type Evaluation, type FitOptions, type PredictOptions } from './options.js';
import { sparseInputLayer } from './sparse-input.js';
import type { TrainableModel } from './trainable-model.js';
import { Workspace } from './workspace.js';

/** Samples and targets, resolved and checked against the model. */
interface DataSet {
  features: Features;
  targets: Targets;
  /** Which samples of features/targets belong to the set (validationSplit takes the last ones). */
  indices: Uint32Array;
}

/**
 * Runs fit, evaluate and predict for one model, as Keras 3's Trainer: it resolves the data,
 * cuts it into batches (EpochIterator), runs each batch's step (BatchStep) and calls the
 * callbacks. It keeps the buffers of each batch size between calls.
 */
export class Trainer {
  private readonly workspaces = new Map<string, Workspace>();
  private fitting = false;

  constructor(private readonly model: TrainableModel) {}

  /** Forgets the buffers, after the model's layers changed. */
  clearWorkspaces(): void {
    this.workspaces.clear();
  }

  async fit(x: Tensor, y: TargetInput, options: FitOptions = {}): Promise<History> {
    // Both calls would share the model's buffers and running sums.
    if (this.fitting) throw new Error(`fit() is already running on model "${this.model.name}": await it before calling fit() again.`);
    this.fitting = true;
    try {
      return await this.fitOnce(x, y, options);
    } finally {
      this.fitting = false;
    }
  }

  private async fitOnce(x: Tensor, y: TargetInput, options: FitOptions): Promise<History> {
    const parsed = parseOptions(fitSchema, options, 'fit()');
    const model = this.model;
    const { optimizer, loss, lossSettings } = this.requireCompiled();
    const epochs = parsed.epochs ?? 1;
    const batchSize = parsed.batchSize ?? 32;
    const verbose = parsed.verbose ?? 1;
    const plain = this.dataSet(x, y, loss, 'x', 'y');
    const plan = lossPlanFor(model.layers, lossSettings, model.metrics);
    const data = withSmoothedTargets(plain, plan.labelSmoothing);
    const step = new BatchStep(model.engine, model.layers, plan);
    const sampleWeights = resolveSampleWeights(parsed.sampleWeight, parsed.classWeight, plain.targets, plain.features.count);
    const metrics = new CompiledMetrics(model.metrics, model.layers[model.layers.length - 1]!.outputSize);

    let validation: DataSet | undefined;
    let trainCount = data.features.count;
    if (parsed.validationData) {
      const [validationX, validationY] = parsed.validationData;
      validation = withSmoothedTargets(this.dataSet(validationX, validationY, loss, 'validationData x', 'validationData y'), plan.labelSmoothing);
    } else if (parsed.validationSplit) {
      trainCount = validationSplitIndex(data.features.count, parsed.validationSplit);
      validation = { ...data, indices: identityIndices(data.features.count - trainCount, trainCount) };
    }

    // One stream for the shuffles and the dropout masks, in the order the loop draws them.
    const random = new Random(resolveSeed(parsed.seed));
    const iterator = new EpochIterator(trainCount, batchSize, parsed.shuffle ?? true, random);
    // A batch larger than the data needs buffers only as large as the data, as in Keras.
    const trainingBatch = Math.min(batchSize, trainCount);
    const workspace = this.workspace(data.features, trainingBatch, true);
    optimizer.build(model.weights);
    const weights = model.weights;

    const history = new History();
    const reported = ['loss', ...metrics.names];
    const params: TrainingParams = {
      epochs,
      steps: iterator.steps,
      samples: trainCount,
      verbose,
      metrics: validation ? [...reported, ...reported.map((name) => `val_${name}`)] : reported,
      metricDirections: Object.fromEntries(
        [['loss', 'min'] as const, ...model.metrics.map((metric) => [metric.name, metric.direction] as const)].flatMap(([name, direction]) => [
          [name, direction],
          [`val_${name}`, direction],
        ]),
      ),
    };
    const predictions = predictionsOf(workspace, plan);
    const labels = takesLabels(loss) ? workspace.labels : null;
    const targets = labels ? null : workspace.targets;
    const hasMetrics = metrics.metrics.length > 0;

    // So that loadModel + fit({ initialEpoch, seed }) continues exactly as one uninterrupted fit
    // with that seed: the skipped epochs' shuffles and dropout seeds are drawn and thrown away.
    const initialEpoch = parsed.initialEpoch ?? 0;
    for (let epoch = 0; epoch < Math.min(initialEpoch, epochs); epoch++) {
      iterator.beginEpoch();
      random.skip(iterator.steps * step.randomDrawsPerStep);
    }
    // Where the loop is; backupAndRestore may move it in onTrainBegin.
    const loop = new FitLoop(initialEpoch, iterator, random, workspace);

    const given: Callback[] = verbose > 0 ? [new ProgressBar(parsed.progressStream)] : [];
    const callbacks = new CallbackList([...given, ...(parsed.callbacks ?? []), history], model, params, loop);
    // Reused between batches: callbacks see the running means of the epoch so far.
    const batchLogs: Logs = Object.fromEntries(reported.map((name) => [name, 0]));
    const batchBeginLogs: Logs = {};

    model.stopTraining = false;
    let lastLogs: Logs = {};
    await callbacks.trainBegin(lastLogs);
    // Kept across epochs, so that even epochs shorter than the interval let Ctrl-C through.
    let lastYield = performance.now();
    for (let epoch = loop.epoch; epoch < epochs && !model.stopTraining; epoch++) {
      await callbacks.epochBegin(epoch, {});
      // A loop resumed mid-epoch keeps that epoch's order and running sums.
      if (loop.batch === 0) {
        iterator.beginEpoch();
        workspace.stats.fill(0);
        metrics.reset();
        loop.seen = 0;
      }
      let seen = loop.seen;
      for (let batch = loop.batch; batch < iterator.steps; batch++) {
        const start = iterator.batchStart(batch);
        const rows = iterator.batchRows(batch);
        callbacks.batchBegin(batch, batchBeginLogs);
        const correctBefore = workspace.stats[STAT_CORRECT]!;
        step.train(workspace, data.features, data.targets, sampleWeights, iterator.indices, start, rows, random, optimizer, weights);
        // The step's backward pass and update leave the predictions and targets as the loss saw them.
        if (hasMetrics) metrics.update(predictions, labels, targets, rows, workspace.stats[STAT_CORRECT]! - correctBefore);
        seen += rows;
        loop.batch = batch + 1;
        loop.seen = seen;
        if (callbacks.wantsBatchLogs) {
          batchLogs.loss = workspace.stats[STAT_LOSS_SUM]! / seen;
          metrics.writeResults(batchLogs);
          callbacks.batchEnd(batch, batchLogs);
        }
        // Let timers and signal handlers (Ctrl-C) run now and then without slowing the loop.
        if (performance.now() - lastYield > 100) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (model.stopTraining) break;
      }
      const logs: Logs = { loss: workspace.stats[STAT_LOSS_SUM]! / seen };
      metrics.writeResults(logs);
      if (validation) {
        logs.val_loss = this.evaluateSet(validation, step, plan, loss, batchSize, metrics, null).loss;
        metrics.writeResults(logs, true);
      }
      loop.epoch = epoch + 1;
      loop.batch = 0;
      await callbacks.epochEnd(epoch, logs);
      lastLogs = logs;
    }
    await callbacks.trainEnd(lastLogs);
    return history;
  }

  /** The loss and every compiled metric over (x, y), without dropout, and accuracy always. */
  evaluate(x: Tensor, y: TargetInput, options: EvaluateOptions = {}): Evaluation {
    const parsed = parseOptions(evaluateSchema, options, 'evaluate()');
    const { loss, lossSettings } = this.requireCompiled();
    const model = this.model;
    const plain = this.dataSet(x, y, loss, 'x', 'y');
    const plan = lossPlanFor(model.layers, lossSettings, model.metrics);
    const data = withSmoothedTargets(plain, plan.labelSmoothing);
    const step = new BatchStep(model.engine, model.layers, plan);
    const metrics = new CompiledMetrics(model.metrics, model.layers[model.layers.length - 1]!.outputSize);
    const batchSize = parsed.batchSize ?? 32;
    const progress = progressBarFor(parsed);
    const evaluation = withInferencePrecision(model.layers, model.engine, 'float32', () => this.evaluateSet(data, step, plan, loss, batchSize, metrics, progress));
    // Both figures side by side, so the cost of int8 in accuracy is plain.
    if (parsed.precision === 'int8' || (parsed.precision === undefined && isQuantized(model.layers))) {
      const int8 = withInferencePrecision(model.layers, model.engine, 'int8', () => this.evaluateSet(data, step, plan, loss, batchSize, metrics, null));
      for (const [name, value] of Object.entries(int8)) evaluation[`int8_${name}`] = value;
    }
    return evaluation;
  }

  /** The last layer's output for every sample: class probabilities for a softmax model. */
  predict(x: Tensor, options: PredictOptions = {}): Tensor {
    const parsed = parseOptions(evaluateSchema, options, 'predict()');
    const model = this.model;
    const features = resolveFeatures(x);
    if (!model.built) model.build(features.sampleShape);
    matchFeatures(model, features, 'x');
    const batchSize = Math.min(parsed.batchSize ?? 32, features.count);
    return withInferencePrecision(model.layers, model.engine, parsed.precision, () => {
      const workspace = this.workspace(features, batchSize, false);
      const step = new ForwardPass(model.engine, model.layers);
      const indices = identityIndices(features.count);
      const width = model.layers[model.layers.length - 1]!.outputSize;
      const result = new Float32Array(features.count * width);
      const output = workspace.outputs[workspace.outputs.length - 1]!;
      const progress = progressBarFor(parsed);
      const bar = progress?.bar;
      bar?.setParams({ epochs: 1, steps: Math.ceil(features.count / batchSize), samples: features.count, verbose: progress!.verbose, metrics: [] });
      bar?.onTestBegin();
      const noLogs: Logs = {};
      for (let start = 0; start < features.count; start += batchSize) {
        const rows = Math.min(batchSize, features.count - start);
        step.predict(workspace, features, indices, start, rows);
        result.set(output.subarray(0, rows * width), start * width);
        bar?.onBatchEnd(start / batchSize, noLogs);
      }
      bar?.onEpochEnd(0, noLogs);
      return tensor(result, [features.count, ...model.outputShape]);
    });
  }

  /**
   * The loss, the metrics (reset first, so fit's validation reuses the training metrics after
   * their results are logged) and the argmax accuracy over a data set; with a bar, Keras's
   * progress bar of the pass.
   */
  private evaluateSet(data: DataSet, step: BatchStep, plan: LossPlan, loss: LossName, requestedBatchSize: number, metrics: CompiledMetrics, progress: Progress | null): Evaluation {
    const count = data.indices.length;
    const batchSize = Math.min(requestedBatchSize, count);
    const workspace = this.workspace(data.features, batchSize, false);
    const predictions = predictionsOf(workspace, plan);
    const labels = takesLabels(loss) ? workspace.labels : null;
    const targets = labels ? null : workspace.targets;
    const hasMetrics = metrics.metrics.length > 0;
    const logs: Logs = { loss: 0 };
    const bar = progress?.bar;
    bar?.setParams({ epochs: 1, steps: Math.ceil(count / batchSize), samples: count, verbose: progress!.verbose, metrics: ['loss', ...metrics.names] });
    bar?.onTestBegin();
    workspace.stats.fill(0);
    metrics.reset();
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      const correctBefore = workspace.stats[STAT_CORRECT]!;
      step.test(workspace, data.features, data.targets, data.indices, start, rows);
      if (hasMetrics) metrics.update(predictions, labels, targets, rows, workspace.stats[STAT_CORRECT]! - correctBefore);
      if (bar) {
        logs.loss = workspace.stats[STAT_LOSS_SUM]! / (start + rows);
        metrics.writeResults(logs);
        bar.onBatchEnd(start / batchSize, logs);
      }
    }
    logs.loss = workspace.stats[STAT_LOSS_SUM]! / count;
    metrics.writeResults(logs);
    bar?.onEpochEnd(0, logs);
    return { accuracy: workspace.stats[STAT_CORRECT]! / count, ...logs, loss: logs.loss };
  }

  /** Resolves (x, y) as the data adapter reads them, building the model from x if needed, and checks them against it. */
  private dataSet(x: Tensor, y: TargetInput, loss: LossName, xName: string, yName: string): DataSet {
    const model = this.model;
    const features = resolveFeatures(x, xName);
    if (!model.built) model.build(features.sampleShape);
    matchFeatures(model, features, xName);
    const targets = matchTargets(model, loss, resolveTargets(y, features.count, takesLabels(loss), yName, xName), yName);
    return { features, targets, indices: identityIndices(features.count) };
  }

  private workspace(features: Features, batchSize: number, training: boolean): Workspace {
    const layers = this.model.layers;
    const sparseLayer = sparseInputLayer(layers, this.model.engine, features, batchSize, training);
    const key = `${batchSize}:${training}:${sparseLayer}`;
    let workspace = this.workspaces.get(key);
    if (!workspace) {
      workspace = new Workspace(layers, layers[0]!.inputSize, batchSize, training, sparseLayer);
      this.workspaces.set(key, workspace);
    }
    return workspace;
  }

  private requireCompiled(): { optimizer: Optimizer; loss: LossName; lossSettings: Loss } {
    const { optimizer, lossSettings } = this.model;
    if (!optimizer || !lossSettings) {
      throw new Error(`Model "${this.model.name}" is not compiled: call compile({ optimizer, loss, metrics }) first.`);
    }
    return { optimizer, loss: lossSettings.name, lossSettings };
  }
}

/** What the metrics read: the probabilities the fused loss wrote, else the last layer's output. */
function predictionsOf(workspace: Workspace, plan: LossPlan): Float32Array {
  return plan.fusedSoftmax ? workspace.probabilities : workspace.outputs[workspace.outputs.length - 1]!;
}

/** The progress bar evaluate and predict draw at verbose 1 or 2 (none at 0, their default). */
function progressBarFor(options: PredictOptions): Progress | null {
  const verbose = options.verbose ?? 0;
  return verbose === 0 ? null : { bar: new ProgressBar(options.progressStream), verbose };
}

interface Progress {
  bar: ProgressBar;
  verbose: 1 | 2;
}
