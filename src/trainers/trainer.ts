import type { Callback, Logs, TrainingParams } from '../callbacks/callback.js';
import { CallbackList } from '../callbacks/callback-list.js';
import { History } from '../callbacks/history.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import { tensor, type Tensor } from '../data/tensor.js';
import { STAT_CORRECT, STAT_LOSS_SUM } from '../engine/engine.js';
import type { Loss } from '../losses/loss-options.js';
import { takesLabels, type LossName } from '../losses/losses.js';
import type { Optimizer } from '../optimizers/optimizer.js';
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
import { lossPlanFor } from './loss-plan.js';
import { evaluateSchema, fitSchema, type EvaluateOptions, type Evaluation, type FitOptions } from './options.js';
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
    const accuracyName = model.metrics[0];
    const reported = accuracyName ? ['loss', accuracyName] : ['loss'];
    const params: TrainingParams = {
      epochs,
      steps: iterator.steps,
      samples: trainCount,
      verbose,
      metrics: validation ? [...reported, ...reported.map((name) => `val_${name}`)] : reported,
    };
    // So that loadModel + fit({ initialEpoch, seed }) continues exactly as one uninterrupted fit
    // with that seed: the skipped epochs' shuffles and dropout seeds are drawn and thrown away.
    const initialEpoch = parsed.initialEpoch ?? 0;
    for (let epoch = 0; epoch < Math.min(initialEpoch, epochs); epoch++) {
      iterator.beginEpoch();
      random.skip(iterator.steps * step.randomDrawsPerStep);
    }
    // Where the loop is; backupAndRestore may move it in onTrainBegin.
    const loop = new FitLoop(initialEpoch, iterator, random, workspace);

    const given: Callback[] = verbose > 0 ? [new ProgressBar(parsed.progressStream ?? process.stdout)] : [];
    const callbacks = new CallbackList([...given, ...(parsed.callbacks ?? []), history], model, params, loop);
    // Reused between batches: callbacks see the running means of the epoch so far.
    const batchLogs: Logs = accuracyName ? { loss: 0, [accuracyName]: 0 } : { loss: 0 };
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
        loop.seen = 0;
      }
      let seen = loop.seen;
      for (let batch = loop.batch; batch < iterator.steps; batch++) {
        const start = iterator.batchStart(batch);
        const rows = iterator.batchRows(batch);
        callbacks.batchBegin(batch, batchBeginLogs);
        step.train(workspace, data.features, data.targets, sampleWeights, iterator.indices, start, rows, random, optimizer, weights);
        seen += rows;
        loop.batch = batch + 1;
        loop.seen = seen;
        if (callbacks.wantsBatchLogs) {
          batchLogs.loss = workspace.stats[STAT_LOSS_SUM]! / seen;
          if (accuracyName) batchLogs[accuracyName] = workspace.stats[STAT_CORRECT]! / seen;
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
      if (accuracyName) logs[accuracyName] = workspace.stats[STAT_CORRECT]! / seen;
      if (validation) {
        const result = this.evaluateSet(validation, step, batchSize);
        logs.val_loss = result.loss;
        if (accuracyName) logs[`val_${accuracyName}`] = result.accuracy;
      }
      loop.epoch = epoch + 1;
      loop.batch = 0;
      await callbacks.epochEnd(epoch, logs);
      lastLogs = logs;
    }
    await callbacks.trainEnd(lastLogs);
    return history;
  }

  /** Loss and accuracy over (x, y), without dropout. */
  evaluate(x: Tensor, y: TargetInput, options: EvaluateOptions = {}): Evaluation {
    const parsed = parseOptions(evaluateSchema, options, 'evaluate()');
    const { loss, lossSettings } = this.requireCompiled();
    const plain = this.dataSet(x, y, loss, 'x', 'y');
    const plan = lossPlanFor(this.model.layers, lossSettings, this.model.metrics);
    const step = new BatchStep(this.model.engine, this.model.layers, plan);
    const data = withSmoothedTargets(plain, plan.labelSmoothing);
    return this.evaluateSet(data, step, parsed.batchSize ?? 32);
  }

  /** The last layer's output for every sample: class probabilities for a softmax model. */
  predict(x: Tensor, options: EvaluateOptions = {}): Tensor {
    const parsed = parseOptions(evaluateSchema, options, 'predict()');
    const model = this.model;
    const features = resolveFeatures(x);
    if (!model.built) model.build(features.sampleShape);
    matchFeatures(model, features, 'x');
    const batchSize = Math.min(parsed.batchSize ?? 32, features.count);
    const workspace = this.workspace(features, batchSize, false);
    const step = new ForwardPass(model.engine, model.layers);
    const indices = identityIndices(features.count);
    const width = model.layers[model.layers.length - 1]!.outputSize;
    const result = new Float32Array(features.count * width);
    const output = workspace.outputs[workspace.outputs.length - 1]!;
    for (let start = 0; start < features.count; start += batchSize) {
      const rows = Math.min(batchSize, features.count - start);
      step.predict(workspace, features, indices, start, rows);
      result.set(output.subarray(0, rows * width), start * width);
    }
    return tensor(result, [features.count, ...model.outputShape]);
  }

  private evaluateSet(data: DataSet, step: BatchStep, requestedBatchSize: number): Evaluation {
    const count = data.indices.length;
    const batchSize = Math.min(requestedBatchSize, count);
    const workspace = this.workspace(data.features, batchSize, false);
    workspace.stats.fill(0);
    for (let start = 0; start < count; start += batchSize) {
      step.test(workspace, data.features, data.targets, data.indices, start, Math.min(batchSize, count - start));
    }
    return { loss: workspace.stats[STAT_LOSS_SUM]! / count, accuracy: workspace.stats[STAT_CORRECT]! / count };
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
