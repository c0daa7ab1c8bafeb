import { z } from 'zod';
import type { Callback, CallbackModel, Logs, TrainingParams } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgressBar, type ProgressStream } from '../callbacks/progress-bar.js';
import { tensor, type Tensor } from '../data/tensor.js';
import { STAT_CORRECT, STAT_LOSS_SUM, type Engine } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';
import { Dense } from '../layers/dense.js';
import { Flatten } from '../layers/flatten.js';
import type { Layer, LayerConfig, Weight } from '../layers/layer.js';
import { isCrossentropy, parseLoss, takesLabels, type LossIdentifier, type LossName } from '../losses/losses.js';
import { createOptimizer, type Optimizer, type OptimizerIdentifier, type OptimizerName } from '../optimizers/index.js';
import { Random } from '../random/rng.js';
import { resolveSeed } from '../random/seed.js';
import { parseOptions, positiveInteger, shape } from '../validation.js';
import {
  checkLabels,
  identityIndices,
  resolveFeatures,
  resolveTargets,
  type Features,
  type TargetInput,
  sampledDensity,
  type Targets,
  validationSplitIndex,
} from './inputs.js';
import { deserializeLayer } from '../layers/index.js';
import { saveModel, type SaveOptions } from '../saving/model-file.js';
import { formatSummary, summaryRows, type SummaryRow } from './summary.js';
import { notebookKernel } from '../notebook/kernel.js';
import { summaryHtml } from '../notebook/summary-html.js';
import { Workspace } from './workspace.js';

export interface CompileOptions {
  optimizer: OptimizerIdentifier | Optimizer;
  loss: LossIdentifier;
  metrics?: readonly string[];
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: readonly [Tensor, TargetInput];
  shuffle?: boolean;
  verbose?: 0 | 1 | 2;
  callbacks?: readonly Callback[];
  seed?: number;
  initialEpoch?: number;
  /** Where the progress bar is written (process.stdout by default). */
  progressStream?: ProgressStream;
}

export interface EvaluateOptions {
  batchSize?: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
}

export interface SequentialOptions {
  name?: string;
  /** Seeds the initial weights; without it they come from setRandomSeed's source. */
  seed?: number;
}

/** The compile settings a saved model carries. */
export interface CompileConfig {
  optimizer: { name: OptimizerName; config: Record<string, number | boolean> };
  loss: LossName;
  metrics: string[];
}

export interface ModelConfig {
  name: string;
  layers: LayerConfig[];
  /** The shape of one sample, once the model is built (also when no layer declared it). */
  inputShape?: number[];
}

const METRIC_NAMES = ['accuracy', 'acc'];
// When the first layer reads the batch as its nonzeros (see sparseInputLayer).
const SPARSE_INPUT_BELOW = 0.35;
const SPARSE_INPUT_MINIMUM_UNITS = 256;
const SPARSE_INPUT_LARGEST_TRAINING_BATCH = 8192;

const compileSchema = z.strictObject({
  optimizer: z.union(
    [z.string(), z.custom<Optimizer>((value) => typeof value === 'object' && value !== null && 'apply' in value)],
    'must be one of "adam", "rmsprop", "sgd" or an optimizer such as adam({ learningRate })',
  ),
  loss: z.string(),
  metrics: z.array(z.string()).optional(),
});

const fitSchema = z.strictObject({
  epochs: positiveInteger.optional(),
  batchSize: positiveInteger.optional(),
  validationSplit: z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').optional(),
  validationData: z.tuple([z.custom<Tensor>(), z.custom<TargetInput>()], 'must be [x, y]').optional(),
  shuffle: z.boolean().optional(),
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)], 'must be 0, 1 or 2').optional(),
  callbacks: z.array(z.custom<Callback>((value) => typeof value === 'object' && value !== null)).optional(),
  seed: z
    .number('must be an integer in 0..4294967295')
    .int('must be an integer in 0..4294967295')
    .min(0, 'must be an integer in 0..4294967295')
    .max(0xffffffff, 'must be an integer in 0..4294967295')
    .optional(),
  initialEpoch: z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer').optional(),
  progressStream: z.custom<ProgressStream>((value) => typeof value === 'object' && value !== null && 'write' in value).optional(),
});

const evaluateSchema = z.strictObject({ batchSize: positiveInteger.optional() });

/** How one pass over a batch turns the last layer's output into a loss. */
interface LossPlan {
  loss: LossName;
  /** Softmax is computed inside the cross-entropy (stable, and its gradient is simply p - y). */
  fusedSoftmax: boolean;
}

/**
 * A plain stack of layers, as Keras's Sequential: add layers, compile, fit, evaluate, predict.
 */
export class Sequential implements CallbackModel {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set by a callback (or Ctrl-C) to end fit after the current batch. */
  stopTraining = false;
  private readonly initRandom: Random;
  private declaredInputShape: readonly number[] | undefined;
  private optimizerInstance: Optimizer | undefined;
  private lossName: LossName | undefined;
  private metricNames: string[] = [];
  private readonly workspaces = new Map<string, Workspace>();
  private readonly layerCounts = new Map<string, number>();
  private engineInstance: Engine | undefined;
  private fitting = false;

  constructor(layers: readonly Layer[] = [], options: SequentialOptions = {}) {
    this.name = options.name ?? 'sequential';
    this.initRandom = new Random(resolveSeed(options.seed));
    for (const layer of layers) this.add(layer);
  }

  /** A model from getConfig()'s description (Keras's Sequential.from_config), with fresh weights. */
  static fromConfig(config: ModelConfig, options: Omit<SequentialOptions, 'name'> = {}): Sequential {
    const model = new Sequential(config.layers.map(deserializeLayer), { ...options, name: config.name });
    if (!model.built && config.inputShape) model.build(config.inputShape);
    return model;
  }

  /**
   * Appends a layer; the model is built as soon as the first layer declares its input shape. A
   * layer that cannot follow the others is refused and the model stays as it was.
   */
  add(layer: Layer): this {
    if (layer.built) throw new Error(`Layer "${layer.name}" already belongs to a model: create a new layer.`);
    if (this.layers.length > 0 && layer.declaredInputShape) {
      throw new Error(`Layer "${layer.name || layer.className}" declares an inputShape but is not the first layer: only the first layer takes one.`);
    }
    const givenName = layer.name;
    const countsBefore = new Map(this.layerCounts);
    if (!givenName) layer.name = this.uniqueName(layer.className);
    else if (this.layers.some((existing) => existing.name === givenName)) {
      throw new Error(`The model already has a layer named "${givenName}": layer names must be unique.`);
    }
    const declaredBefore = this.declaredInputShape;
    if (this.layers.length === 0) this.declaredInputShape = layer.declaredInputShape;
    this.layers.push(layer);
    try {
      if (this.declaredInputShape) this.buildLayers(this.declaredInputShape);
    } catch (error) {
      this.layers.pop();
      this.declaredInputShape = declaredBefore;
      layer.name = givenName;
      this.layerCounts.clear();
      for (const [base, count] of countsBefore) this.layerCounts.set(base, count);
      throw error;
    }
    this.workspaces.clear();
    return this;
  }

  get built(): boolean {
    return this.layers.length > 0 && this.layers.every((layer) => layer.built);
  }

  get inputShape(): readonly number[] {
    return this.requireBuilt().layers[0]!.inputShape;
  }

  get outputShape(): readonly number[] {
    return this.requireBuilt().layers[this.layers.length - 1]!.outputShape;
  }

  get optimizer(): Optimizer | undefined {
    return this.optimizerInstance;
  }

  get loss(): LossName | undefined {
    return this.lossName;
  }

  get metrics(): readonly string[] {
    return this.metricNames;
  }

  /** The engine this model computes with (native when available). */
  get engine(): Engine {
    this.engineInstance ??= getEngine();
    return this.engineInstance;
  }

  /** Creates the weights for samples of this shape (fit does it for a model without an inputShape). */
  build(inputShape: readonly number[]): void {
    parseOptions(z.object({ inputShape: shape }), { inputShape }, 'build()');
    this.declaredInputShape = inputShape;
    this.buildLayers(inputShape);
  }

  /** Sets the optimizer, loss and metrics; settings that do not fit the model leave it as it was. */
  compile(options: CompileOptions): void {
    const parsed = parseOptions(compileSchema, options, 'compile()');
    const loss = parseLoss(parsed.loss);
    const metrics = parsed.metrics ?? [];
    for (const metric of metrics) {
      if (!METRIC_NAMES.includes(metric)) throw new Error(`Unknown metric "${metric}": allowed are "accuracy" and its Keras alias "acc".`);
    }
    if (metrics.length > 1) {
      throw new Error(`metrics lists accuracy ${metrics.length} times (${metrics.map((metric) => `"${metric}"`).join(', ')}): give it once, as "accuracy" or "acc".`);
    }
    // Keras names the logs after the string given: 'acc' gives acc and val_acc (notebook 003 reads
    // history['acc']), 'accuracy' gives accuracy and val_accuracy. One accuracy is computed either way.
    const metricNames = metrics.length > 0 ? [metrics[0]!] : [];
    if (this.built) this.lossPlanFor(loss, metricNames);
    this.optimizerInstance = typeof parsed.optimizer === 'string' ? createOptimizer(parsed.optimizer) : parsed.optimizer;
    this.lossName = loss;
    this.metricNames = metricNames;
  }

  countParams(): number {
    return this.layers.reduce((total, layer) => total + (layer.built ? layer.countParams() : 0), 0);
  }

  /** Keras's summary table as text; `summary()` prints it. */
  summaryText(): string {
    return formatSummary(this.name, this.summaryRows());
  }

  summaryRows(): SummaryRow[] {
    return summaryRows(this.requireBuilt().layers);
  }

  summary(print?: (line: string) => void): void {
    // In a notebook (and unless told where to print) the table is the cell's HTML output.
    const kernel = print === undefined ? notebookKernel() : undefined;
    if (kernel) return kernel.display.html(summaryHtml(this.name, this.summaryRows()));
    (print ?? console.log)(this.summaryText());
  }

  /** All trainable weights in Keras's order: layer by layer, kernel then bias. */
  get weights(): readonly Weight[] {
    return this.layers.flatMap((layer) => layer.weights);
  }

  getWeights(): Float32Array[] {
    return this.weights.map((weight) => weight.values.slice());
  }

  setWeights(values: readonly Float32Array[]): void {
    const weights = this.requireBuilt().weights;
    if (values.length !== weights.length) {
      throw new Error(`setWeights() got ${values.length} arrays but the model has ${weights.length} weights.`);
    }
    weights.forEach((weight, index) => {
      const given = values[index]!;
      if (given.length !== weight.values.length) {
        throw new Error(`setWeights(): weight ${index} (${weight.name}, shape [${weight.shape.join(', ')}]) needs ${weight.values.length} values; got ${given.length}.`);
      }
    });
    weights.forEach((weight, index) => weight.values.set(values[index]!));
  }

  /** Saves weights, configs and the optimizer's state to one safetensors file (see saving/model-file.ts). */
  save(path: string, options: SaveOptions = {}): void {
    saveModel(this.requireBuilt(), path, options);
  }

  getConfig(): ModelConfig {
    const config: ModelConfig = { name: this.name, layers: this.layers.map((layer) => layer.serialize()) };
    if (this.built) config.inputShape = [...this.inputShape];
    return config;
  }

  getCompileConfig(): CompileConfig | undefined {
    if (!this.optimizerInstance || !this.lossName) return undefined;
    return {
      optimizer: { name: this.optimizerInstance.name, config: this.optimizerInstance.getConfig() },
      loss: this.lossName,
      metrics: [...this.metricNames],
    };
  }

  async fit(x: Tensor, y: TargetInput, options: FitOptions = {}): Promise<History> {
    // Both calls would share the model's buffers and running sums.
    if (this.fitting) throw new Error(`fit() is already running on model "${this.name}": await it before calling fit() again.`);
    this.fitting = true;
    try {
      return await this.fitOnce(x, y, options);
    } finally {
      this.fitting = false;
    }
  }

  private async fitOnce(x: Tensor, y: TargetInput, options: FitOptions): Promise<History> {
    const parsed = parseOptions(fitSchema, options, 'fit()');
    const { optimizer } = this.requireCompiled();
    const epochs = parsed.epochs ?? 1;
    const batchSize = parsed.batchSize ?? 32;
    const verbose = parsed.verbose ?? 1;
    const features = resolveFeatures(x);
    if (!this.built) this.build(features.sampleShape);
    this.checkFeatures(features, 'x');
    const targets = this.checkTargets(resolveTargets(y, features.count, this.expectsLabels()), 'y');
    const plan = this.lossPlan();

    let trainCount = features.count;
    let validation: { features: Features; targets: Targets; indices: Uint32Array } | undefined;
    if (parsed.validationData) {
      const [validationX, validationY] = parsed.validationData;
      const validationFeatures = resolveFeatures(validationX, 'validationData x');
      this.checkFeatures(validationFeatures, 'validationData x');
      const validationTargets = this.checkTargets(
        resolveTargets(validationY, validationFeatures.count, this.expectsLabels(), 'validationData y', 'validationData x'),
        'validationData y',
      );
      validation = { features: validationFeatures, targets: validationTargets, indices: identityIndices(validationFeatures.count) };
    } else if (parsed.validationSplit) {
      const splitAt = validationSplitIndex(features.count, parsed.validationSplit);
      trainCount = splitAt;
      validation = { features, targets, indices: identityIndices(features.count - splitAt, splitAt) };
    }

    const random = new Random(resolveSeed(parsed.seed));
    const indices = identityIndices(trainCount);
    // A batch larger than the data needs buffers only as large as the data, as in Keras.
    const trainingBatch = Math.min(batchSize, trainCount);
    const workspace = this.workspace(trainingBatch, true, this.sparseInputLayer(features, trainingBatch, true));
    optimizer.build(this.weights);
    const weights = this.weights;
    const steps = Math.ceil(trainCount / batchSize);
    const history = new History();
    const callbacks: Callback[] = [];
    if (verbose > 0) callbacks.push(new ProgressBar(parsed.progressStream));
    callbacks.push(...(parsed.callbacks ?? []), history);
    const accuracyName = this.metricNames[0];
    const reported = accuracyName ? ['loss', accuracyName] : ['loss'];
    const params: TrainingParams = { epochs, steps, samples: trainCount, verbose, metrics: validation ? [...reported, ...reported.map((name) => `val_${name}`)] : reported };
    for (const callback of callbacks) {
      callback.setModel?.(this);
      callback.setParams?.(params);
    }
    const batchBeginCallbacks = callbacks.filter((callback) => callback.onBatchBegin);
    const batchCallbacks = callbacks.filter((callback) => callback.onBatchEnd);
    const batchLogs: Logs = accuracyName ? { loss: 0, [accuracyName]: 0 } : { loss: 0 };
    const batchBeginLogs: Logs = {};

    this.stopTraining = false;
    let lastLogs: Logs = {};
    for (const callback of callbacks) await callback.onTrainBegin?.(lastLogs);
    // Kept across epochs, so that even epochs shorter than the interval let Ctrl-C through.
    let lastYield = performance.now();
    for (let epoch = parsed.initialEpoch ?? 0; epoch < epochs && !this.stopTraining; epoch++) {
      for (const callback of callbacks) await callback.onEpochBegin?.(epoch, {});
      if (parsed.shuffle ?? true) random.shuffle(indices);
      workspace.stats.fill(0);
      let seen = 0;
      for (let batch = 0, start = 0; start < trainCount; batch++, start += batchSize) {
        const rows = Math.min(batchSize, trainCount - start);
        for (const callback of batchBeginCallbacks) callback.onBatchBegin!(batch, batchBeginLogs);
        this.trainStep(workspace, plan, features, targets, indices, start, rows, random, optimizer, weights);
        seen += rows;
        if (batchCallbacks.length > 0) {
          batchLogs.loss = workspace.stats[STAT_LOSS_SUM]! / seen;
          if (accuracyName) batchLogs[accuracyName] = workspace.stats[STAT_CORRECT]! / seen;
          for (const callback of batchCallbacks) callback.onBatchEnd!(batch, batchLogs);
        }
        // Let timers and signal handlers (Ctrl-C) run now and then without slowing the loop.
        if (performance.now() - lastYield > 100) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (this.stopTraining) break;
      }
      const logs: Logs = { loss: workspace.stats[STAT_LOSS_SUM]! / seen };
      if (accuracyName) logs[accuracyName] = workspace.stats[STAT_CORRECT]! / seen;
      if (validation) {
        const result = this.evaluateRange(validation.features, validation.targets, validation.indices, batchSize);
        logs.val_loss = result.loss;
        if (accuracyName) logs[`val_${accuracyName}`] = result.accuracy;
      }
      for (const callback of callbacks) await callback.onEpochEnd?.(epoch, logs);
      lastLogs = logs;
    }
    for (const callback of callbacks) await callback.onTrainEnd?.(lastLogs);
    return history;
  }

  /** Loss and accuracy over (x, y), without dropout. */
  evaluate(x: Tensor, y: TargetInput, options: EvaluateOptions = {}): Evaluation {
    const parsed = parseOptions(evaluateSchema, options, 'evaluate()');
    this.requireCompiled();
    const features = resolveFeatures(x);
    if (!this.built) this.build(features.sampleShape);
    this.checkFeatures(features, 'x');
    const targets = this.checkTargets(resolveTargets(y, features.count, this.expectsLabels()), 'y');
    return this.evaluateRange(features, targets, identityIndices(features.count), parsed.batchSize ?? 32);
  }

  /** The last layer's output for every sample: class probabilities for a softmax model. */
  predict(x: Tensor, options: EvaluateOptions = {}): Tensor {
    const parsed = parseOptions(evaluateSchema, options, 'predict()');
    const features = resolveFeatures(x);
    if (!this.built) this.build(features.sampleShape);
    this.checkFeatures(features, 'x');
    const batchSize = Math.min(parsed.batchSize ?? 32, features.count);
    const workspace = this.workspace(batchSize, false, this.sparseInputLayer(features, batchSize, false));
    const indices = identityIndices(features.count);
    const width = this.layers[this.layers.length - 1]!.outputSize;
    const result = new Float32Array(features.count * width);
    const output = workspace.outputs[workspace.outputs.length - 1]!;
    for (let start = 0; start < features.count; start += batchSize) {
      const rows = Math.min(batchSize, features.count - start);
      this.forward(workspace, features, indices, start, rows, false, null, false);
      result.set(output.subarray(0, rows * width), start * width);
    }
    return tensor(result, [features.count, ...this.outputShape]);
  }

  /** The predicted class of every sample (argmax of predict). */
  predictClasses(x: Tensor, options: EvaluateOptions = {}): Int32Array {
    const probabilities = this.predict(x, options);
    const width = probabilities.shape[1]!;
    const classes = new Int32Array(probabilities.shape[0]!);
    const data = probabilities.data;
    for (let row = 0; row < classes.length; row++) {
      let best = 0;
      for (let j = 1; j < width; j++) if (data[row * width + j]! > data[row * width + best]!) best = j;
      classes[row] = best;
    }
    return classes;
  }

  private trainStep(
    workspace: Workspace,
    plan: LossPlan,
    features: Features,
    targets: Targets,
    indices: Uint32Array,
    start: number,
    rows: number,
    random: Random,
    optimizer: Optimizer,
    weights: readonly Weight[],
  ): void {
    const engine = this.engine;
    this.forward(workspace, features, indices, start, rows, true, random, plan.fusedSoftmax);
    this.gatherTargets(workspace, targets, indices, start, rows);
    const last = this.layers.length - 1;
    this.computeLoss(workspace, plan, rows, workspace.gradients[last]!);
    for (let i = last; i >= 0; i--) {
      const gradient = workspace.gradients[i];
      if (!gradient) break;
      if (i === workspace.sparseLayer) {
        (this.layers[i] as Dense).backwardSparse(engine, workspace.sparseInput!, workspace.outputs[i]!, gradient, rows, plan.fusedSoftmax && i === last);
        continue;
      }
      this.layers[i]!.backward(
        engine,
        workspace.inputs[i]!,
        workspace.outputs[i]!,
        workspace.masks[i]!,
        gradient,
        workspace.inputGradients[i]!,
        rows,
        plan.fusedSoftmax && i === last,
      );
    }
    optimizer.apply(engine, weights);
  }

  private forward(
    workspace: Workspace,
    features: Features,
    indices: Uint32Array,
    start: number,
    rows: number,
    training: boolean,
    random: Random | null,
    logits: boolean,
  ): void {
    const engine = this.engine;
    const sparseLayer = workspace.sparseLayer;
    if (sparseLayer >= 0) {
      engine.gatherSparseRows(features.source, indices, start, rows, features.width, features.scale, workspace.sparseInput!);
    } else {
      engine.gatherRows(features.source, indices, start, rows, features.width, features.scale, workspace.input);
    }
    const last = this.layers.length - 1;
    // Layers before sparseLayer only reshape: with a sparse batch they have nothing to do.
    for (let i = Math.max(sparseLayer, 0); i <= last; i++) {
      const layer = this.layers[i]!;
      if (i === sparseLayer) {
        (layer as Dense).forwardSparse(engine, workspace.sparseInput!, workspace.outputs[i]!, rows, logits && i === last);
        continue;
      }
      const seed = training && random && layer.needsMask ? random.nextUint32() : 0;
      layer.forward(engine, workspace.inputs[i]!, workspace.outputs[i]!, workspace.masks[i]!, rows, training, seed, logits && i === last);
    }
  }

  private gatherTargets(workspace: Workspace, targets: Targets, indices: Uint32Array, start: number, rows: number): void {
    if (targets.labels) this.engine.gatherLabels(targets.labels, indices, start, rows, workspace.labels);
    else this.engine.gatherRows(targets.values!, indices, start, rows, targets.width, 1, workspace.targets);
  }

  private computeLoss(workspace: Workspace, plan: LossPlan, rows: number, gradient: Float32Array | null): void {
    const engine = this.engine;
    const output = workspace.outputs[workspace.outputs.length - 1]!;
    const classes = this.layers[this.layers.length - 1]!.outputSize;
    const labels = takesLabels(plan.loss) ? workspace.labels : null;
    if (plan.fusedSoftmax) {
      engine.softmaxCrossEntropy(output, labels, labels ? null : workspace.targets, workspace.probabilities, gradient, rows, classes, rows, workspace.stats);
    } else {
      engine.meanSquaredError(output, workspace.targets, gradient, rows, classes, rows, workspace.stats);
    }
  }

  private evaluateRange(features: Features, targets: Targets, indices: Uint32Array, requestedBatchSize: number): Evaluation {
    const plan = this.lossPlan();
    const batchSize = Math.min(requestedBatchSize, indices.length);
    const workspace = this.workspace(batchSize, false, this.sparseInputLayer(features, batchSize, false));
    workspace.stats.fill(0);
    for (let start = 0; start < indices.length; start += batchSize) {
      const rows = Math.min(batchSize, indices.length - start);
      this.forward(workspace, features, indices, start, rows, false, null, plan.fusedSoftmax);
      this.gatherTargets(workspace, targets, indices, start, rows);
      this.computeLoss(workspace, plan, rows, null);
    }
    return { loss: workspace.stats[STAT_LOSS_SUM]! / indices.length, accuracy: workspace.stats[STAT_CORRECT]! / indices.length };
  }

  private workspace(batchSize: number, training: boolean, sparseLayer: number): Workspace {
    const key = `${batchSize}:${training}:${sparseLayer}`;
    let workspace = this.workspaces.get(key);
    if (!workspace) {
      workspace = new Workspace(this.layers, this.layers[0]!.inputSize, batchSize, training, sparseLayer);
      this.workspaces.set(key, workspace);
    }
    return workspace;
  }

  /**
   * The index of the Dense layer that should read the batch as its nonzeros, or -1. That pays when
   * it is the first layer (after reshapes), is wide, and the samples are mostly exact zeros, as
   * MNIST's images are (81%): its forward product and weight gradient then touch only the nonzeros
   * (measured on MNIST batches of 128 with 2 threads: 14–21% faster at 256 and 512 units, break-even
   * at 128, slower at 50, where the dense kernels' zero skipping wins). The results are the same
   * either way. DIGITNET_SPARSE_INPUT=0 turns it off, 1 uses it whenever the layers allow.
   */
  private sparseInputLayer(features: Features, batchSize: number, training: boolean): number {
    const setting = process.env.DIGITNET_SPARSE_INPUT;
    if (setting === '0') return -1;
    // The engine's sparse weight gradient takes batches of up to 8,192 samples.
    if (training && batchSize > SPARSE_INPUT_LARGEST_TRAINING_BATCH) return -1;
    let index = 0;
    while (index < this.layers.length && this.layers[index] instanceof Flatten) index++;
    const layer = this.layers[index];
    if (!(layer instanceof Dense)) return -1;
    if (setting === '1') return index;
    if (!this.engine.sparseKernels || layer.units < SPARSE_INPUT_MINIMUM_UNITS) return -1;
    return sampledDensity(features) < SPARSE_INPUT_BELOW ? index : -1;
  }

  private lossPlan(): LossPlan {
    return this.lossPlanFor(this.lossName!, this.metricNames);
  }

  private lossPlanFor(loss: LossName, metricNames: readonly string[]): LossPlan {
    const last = this.requireBuilt().layers[this.layers.length - 1]!;
    if (metricNames.length > 0 && last.outputSize < 2) {
      throw new Error(`The accuracy metric compares the most probable of several classes, but the model has ${last.outputSize} output: give the last layer one unit per class, or compile without metrics.`);
    }
    if (isCrossentropy(loss)) {
      if (last.finalActivation !== 'softmax') {
        throw new Error(
          `${loss} needs class probabilities: end the model with activation 'softmax' (its last layer "${last.name}" ends with '${last.finalActivation}').`,
        );
      }
      return { loss, fusedSoftmax: true };
    }
    return { loss, fusedSoftmax: false };
  }

  private checkFeatures(features: Features, name: string): void {
    const expected = this.inputShape;
    const given = features.sampleShape;
    if (expected.length === given.length && expected.every((dimension, index) => dimension === given[index])) return;
    const hint =
      features.width === this.layers[0]!.inputSize
        ? expected.length === 1
          ? ': flatten the samples (flattenSamples(x)) or start the model with flatten({ inputShape: ' + `[${given.join(', ')}] })`
          : `: reshape them with tensor(x.data, [${features.count}, ${expected.join(', ')}])`
        : '';
    throw new Error(`${name} has samples of shape [${given.join(', ')}] but the model takes [${expected.join(', ')}]${hint}.`);
  }

  private checkTargets(targets: Targets, name: string): Targets {
    const loss = this.lossName!;
    const classes = this.layers[this.layers.length - 1]!.outputSize;
    if (takesLabels(loss)) {
      if (!targets.labels) {
        throw new Error(`${loss} takes class labels of shape [n] but ${name} has rows of ${targets.width} targets: pass the labels, or use categoricalCrossentropy.`);
      }
      checkLabels(targets.labels, classes, name);
      return targets;
    }
    if (!targets.values) {
      throw new Error(`${loss} takes one-hot targets of shape [n, ${classes}] but ${name} holds class labels: use toCategorical(${name}) or sparseCategoricalCrossentropy.`);
    }
    if (targets.width !== classes) {
      throw new Error(`${name} has ${targets.width} targets per sample but the model outputs ${classes}.`);
    }
    return targets;
  }

  private expectsLabels(): boolean {
    return takesLabels(this.requireCompiled().loss);
  }

  private buildLayers(inputShape: readonly number[]): void {
    let current = inputShape;
    for (const layer of this.layers) current = layer.built ? layer.outputShape : layer.build(current, this.initRandom);
  }

  private requireBuilt(): this {
    if (this.layers.length === 0) {
      throw new Error(`Model "${this.name}" has no layers: add them first (sequential([dense({ units: 10, activation: 'softmax' })]) or model.add(...)).`);
    }
    if (!this.built) {
      throw new Error(`Model "${this.name}" is not built yet: give the first layer an inputShape (e.g. dense({ units: 10, inputShape: [784] })) or call fit first.`);
    }
    return this;
  }

  private requireCompiled(): { optimizer: Optimizer; loss: LossName } {
    if (!this.optimizerInstance || !this.lossName) {
      throw new Error(`Model "${this.name}" is not compiled: call compile({ optimizer, loss, metrics }) first.`);
    }
    return { optimizer: this.optimizerInstance, loss: this.lossName };
  }

  private uniqueName(className: string): string {
    const base = className.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    for (;;) {
      const count = this.layerCounts.get(base) ?? 0;
      this.layerCounts.set(base, count + 1);
      const name = count === 0 ? base : `${base}_${count}`;
      if (!this.layers.some((layer) => layer.name === name)) return name;
    }
  }
}

export function sequential(layers: readonly Layer[] = [], options: SequentialOptions = {}): Sequential {
  return new Sequential(layers, options);
}
