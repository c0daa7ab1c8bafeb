import { z } from 'zod';
import type { History } from '../callbacks/history.js';
import type { Tensor } from '../data/tensor.js';
import type { Engine } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';
import type { Layer, LayerConfig, Weight } from '../layers/layer.js';
import { deserializeLayer } from '../layers/index.js';
import { isLoss, lossFrom, lossOptionsOf, type Loss, type LossOptions } from '../losses/loss-options.js';
import { parseLoss, takesLabels, type LossIdentifier, type LossName } from '../losses/losses.js';
import { describeCall, inspectCustom } from '../describe.js';
import { getMetric, type Metric, type MetricConfig, type MetricName } from '../metrics/index.js';
import { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerIdentifier } from '../optimizers/index.js';
import { Random } from '../random/rng.js';
import { resolveSeed } from '../random/seed.js';
import type { TargetInput } from '../trainers/data-adapters/array-data-adapter.js';
import { lossPlanFor } from '../trainers/loss-plan.js';
import type { EvaluateOptions, Evaluation, FitOptions, PredictOptions } from '../trainers/options.js';
import type { TrainableModel } from '../trainers/trainable-model.js';
import { Trainer } from '../trainers/trainer.js';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, shape } from '../validation.js';
import { dropQuantization, quantizeLayers } from '../precision/inference.js';
import { formatSummary, summaryRows, type SummaryRow } from './summary.js';
import { notebookKernel } from '../notebook/kernel.js';
import { summaryHtml } from '../notebook/summary-html.js';

export type { EvaluateOptions, Evaluation, FitOptions, PredictOptions } from '../trainers/options.js';

export interface CompileOptions {
  optimizer: OptimizerIdentifier | Optimizer;
  /** A name, or a loss with options such as categoricalCrossentropy({ labelSmoothing: 0.1 }). */
  loss: LossIdentifier | Loss;
  /** Keras's metric names ('accuracy', 'mae', 'f1_score', …) or metric objects (topKCategoricalAccuracy({ k: 3 })). */
  metrics?: readonly (MetricName | Metric)[];
}

export interface SequentialOptions {
  name?: string;
  /** Seeds the initial weights; without it they come from setRandomSeed's source. */
  seed?: number;
}

/** The compile settings a saved model carries. */
export interface CompileConfig {
  /** The optimizer's name (one of OPTIMIZER_NAMES) and its config, a schedule's included. */
  optimizer: { name: string; config: OptimizerConfig };
  loss: LossName;
  /** fromLogits and labelSmoothing, when set. */
  lossOptions?: LossOptions;
  /** A metric given by name keeps that name; a metric object is kept as its class and config. */
  metrics: (string | MetricConfig)[];
}

export interface ModelConfig {
  name: string;
  layers: LayerConfig[];
  /** The shape of one sample, once the model is built (also when no layer declared it). */
  inputShape?: number[];
}

export interface SaveOptions {
  /**
   * Whether to keep the optimizer's state (Adam's moments, momentum, the update count), so that
   * training the loaded model continues exactly where this one stopped. Default true, as Keras.
   */
  includeOptimizer?: boolean;
}

/** Writes a model to a file: what model.save calls. */
/** What saving/formats.ts gives the model, so that saving imports the model and not the reverse. */
export interface ModelSaving {
  save(model: Sequential, path: string, options: SaveOptions): void;
  saveWeights(model: Sequential, path: string): void;
  loadWeights(model: Sequential, path: string): void;
}

let registeredSaving: ModelSaving | undefined;

/**
 * Called by saving/formats.ts when it is loaded (the package's entry loads it), so that saving
 * imports the model and not the reverse, as Keras's Model.save defers to saving_api.
 */
export function registerModelSaving(saving: ModelSaving): void {
  registeredSaving = saving;
}

function savingModule(): ModelSaving {
  if (!registeredSaving) throw new Error(`model.save() needs digitnet's saving module: import the model from digitnet's entry point, which loads it.`);
  return registeredSaving;
}

const compileSchema = z.strictObject({
  optimizer: z.union(
    [z.string(), z.custom<Optimizer>((value) => typeof value === 'object' && value !== null && 'apply' in value)],
    'must be an optimizer name (adam, adamw, nadam, adamax, adagrad, lion, rmsprop, sgd) or an optimizer such as adam({ learningRate })',
  ),
  loss: z.union([z.string(), z.custom<Loss>(isLoss)], 'must be a loss name or a loss such as categoricalCrossentropy({ labelSmoothing })'),
  metrics: z.array(z.unknown(), 'must be an array of metric names or metrics').optional(),
});

/**
 * A plain stack of layers, as Keras's Sequential: add layers, build, compile, and fit, evaluate
 * and predict, which its Trainer (src/trainers/) runs. The model knows its layers, weights,
 * configs and summary.
 */
export class Sequential implements TrainableModel {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set by a callback (or Ctrl-C) to end fit after the current batch. */
  stopTraining = false;
  private readonly initRandom: Random;
  private declaredInputShape: readonly number[] | undefined;
  private optimizerInstance: Optimizer | undefined;
  private lossInstance: Loss | undefined;
  private givenLoss: LossIdentifier | undefined;
  private compiledMetrics: Metric[] = [];
  private metricIdentifiers: (string | MetricConfig)[] = [];
  private readonly layerCounts = new Map<string, number>();
  private engineInstance: Engine | undefined;
  private readonly trainer = new Trainer(this);

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
    this.trainer.clearWorkspaces();
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

  /** The loss as compile was given it (e.g. 'sparse_categorical_crossentropy'), as Keras's model.loss. */
  get loss(): LossIdentifier | undefined {
    return this.givenLoss;
  }

  /** The loss with its options (fromLogits, labelSmoothing). */
  get lossSettings(): Loss | undefined {
    return this.lossInstance;
  }

  /** The loss's canonical name ('sparseCategoricalCrossentropy'), which training computes with. */
  get lossName(): LossName | undefined {
    return this.lossInstance?.name;
  }

  /** The compiled metrics, in order. */
  get metrics(): readonly Metric[] {
    return this.compiledMetrics;
  }

  /** The names the logs use for them (Keras's metrics_names without the loss): 'accuracy', 'acc', 'mae', … */
  get metricsNames(): string[] {
    return this.compiledMetrics.map((metric) => metric.name);
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
  compile(options: KerasSpelled<CompileOptions>): void {
    const parsed = parseOptions(compileSchema, options, 'compile()');
    const loss = typeof parsed.loss === 'string' ? lossFrom(parseLoss(parsed.loss)) : parsed.loss;
    const given = parsed.metrics ?? [];
    // Keras names the logs after the string given: 'acc' gives acc and val_acc (notebook 003 reads
    // history['acc']), 'accuracy' gives accuracy and val_accuracy, 'mae' gives mae.
    const metrics = given.map(getMetric);
    checkMetrics(metrics, loss.name, typeof parsed.loss === 'string' ? parsed.loss : loss.name);
    if (this.built) lossPlanFor(this.layers, loss, metrics);
    this.optimizerInstance = typeof parsed.optimizer === 'string' ? createOptimizer(parsed.optimizer) : parsed.optimizer;
    this.lossInstance = loss;
    this.givenLoss = typeof parsed.loss === 'string' ? (parsed.loss as LossIdentifier) : loss.name;
    this.compiledMetrics = metrics;
    this.metricIdentifiers = given.map((identifier, index) => (typeof identifier === 'string' ? identifier : metrics[index]!.serialize()));
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

  /** Every weight, as Keras's get_weights orders them: layer by layer, trainable then non-trainable (moving statistics). */
  get allWeights(): readonly Weight[] {
    return this.layers.flatMap((layer) => [...layer.weights, ...layer.nonTrainableWeights]);
  }

  getWeights(): Float32Array[] {
    return this.allWeights.map((weight) => weight.values.slice());
  }

  setWeights(values: readonly Float32Array[]): void {
    const weights = this.requireBuilt().allWeights;
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
    dropQuantization(this.layers);
  }

  /** Saves the model in the format its name says: .safetensors, .keras, .h5, .onnx, .json (see saving/formats.ts). */
  save(path: string, options: SaveOptions = {}): void {
    savingModule().save(this.requireBuilt(), path, options);
  }

  /** Keras's save_weights: a .weights.h5 file (Keras 3's layout) or .h5 (Keras 2's). */
  saveWeights(path: string): void {
    savingModule().saveWeights(this.requireBuilt(), path);
  }

  /** Keras's load_weights from a .weights.h5, .h5 or .keras file of the same architecture. */
  loadWeights(path: string): void {
    savingModule().loadWeights(this.requireBuilt(), path);
  }

  getConfig(): ModelConfig {
    const config: ModelConfig = { name: this.name, layers: this.layers.map((layer) => layer.serialize()) };
    if (this.built) config.inputShape = [...this.inputShape];
    return config;
  }

  getCompileConfig(): CompileConfig | undefined {
    if (!this.optimizerInstance || !this.lossInstance) return undefined;
    const config: CompileConfig = {
      optimizer: { name: this.optimizerInstance.name, config: this.optimizerInstance.getConfig() },
      loss: this.lossInstance.name,
      metrics: [...this.metricIdentifiers],
    };
    const lossOptions = lossOptionsOf(this.lossInstance);
    if (lossOptions) config.lossOptions = lossOptions;
    return config;
  }

  /** Trains for a number of epochs over (x, y), as Keras's fit; resolves to the per-epoch History. */
  fit(x: Tensor, y: TargetInput, options: KerasSpelled<FitOptions> = {}): Promise<History> {
    return this.trainer.fit(x, y, options);
  }

  /** The loss and every compiled metric over (x, y), without dropout (and accuracy, always). */
  evaluate(x: Tensor, y: TargetInput, options: KerasSpelled<EvaluateOptions> = {}): Evaluation {
    return this.trainer.evaluate(x, y, options);
  }

  /**
   * Makes int8 copies of the dense kernels (per output channel; layers under 16 units stay float32)
   * for predict and evaluate, as Keras's model.quantize('int8'); the float32 weights are kept, and
   * training or setWeights drops the copies.
   */
  quantize(mode: 'int8'): void {
    if (mode !== 'int8') throw new Error(`quantize(): the mode ${JSON.stringify(mode)} is unknown; use "int8".`);
    quantizeLayers(this.requireBuilt().layers, this.engine);
  }

  /** The last layer's output for every sample: class probabilities for a softmax model. */
  predict(x: Tensor, options: KerasSpelled<PredictOptions> = {}): Tensor {
    return this.trainer.predict(x, options);
  }

  /** The predicted class of every sample (argmax of predict). */
  predictClasses(x: Tensor, options: KerasSpelled<PredictOptions> = {}): Int32Array {
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

  /** One line: `Sequential "sequential": 3 layers, 235,146 params, Adam(...), loss "sparse_categorical_crossentropy", metrics ["accuracy"]`. */
  toString(): string {
    const parts = [`${this.layers.length} layer${this.layers.length === 1 ? '' : 's'}`];
    parts.push(this.built ? `${this.countParams().toLocaleString('en-US')} params` : 'not built');
    if (this.optimizerInstance && this.givenLoss) {
      parts.push(String(this.optimizerInstance), `loss ${JSON.stringify(this.givenLoss)}`);
      if (this.compiledMetrics.length > 0) parts.push(`metrics [${this.compiledMetrics.map((metric) => JSON.stringify(metric.name)).join(', ')}]`);
    } else {
      parts.push('not compiled');
    }
    return `Sequential ${JSON.stringify(this.name)}: ${parts.join(', ')}`;
  }

  /** Node's util.inspect (console.log, a notebook cell): the line above, then one line per layer. */
  [inspectCustom](): string {
    const lines = [this.toString()];
    for (const layer of this.layers) lines.push(`  ${String(layer)}`);
    for (const metric of this.compiledMetrics) if (!isDefaultNamed(metric)) lines.push(`  metric ${String(metric)}`);
    return lines.join('\n');
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

// A metric made from a bare name needs no line of its own; configured ones (k, average) do.
function isDefaultNamed(metric: Metric): boolean {
  return describeCall(metric.className, { name: metric.name }) === String(metric);
}

/** Metrics that cannot work with this loss's targets, or that would write the same log twice. */
function checkMetrics(metrics: readonly Metric[], loss: LossName, given: string): void {
  const seen = new Set<string>(['loss']);
  for (const metric of metrics) {
    if (seen.has(metric.name)) {
      throw new Error(`compile(): metrics name "${metric.name}" ${metric.name === 'loss' ? 'as the loss is named' : 'twice'}; give each metric once (a metric object takes { name }).`);
    }
    seen.add(metric.name);
    const labels = takesLabels(loss);
    if (metric.targets === 'rows' && labels) {
      throw new Error(`compile(): metric "${metric.name}" compares one-hot target rows, but loss ${JSON.stringify(given)} takes class labels: use its sparse_ form (e.g. "sparse_categorical_accuracy") or "accuracy".`);
    }
    if (metric.targets === 'labels' && !labels) {
      throw new Error(`compile(): metric "${metric.name}" compares class labels, but loss ${JSON.stringify(given)} takes target rows: use the form without sparse_ (e.g. "categorical_accuracy") or "accuracy".`);
    }
  }
}

export function sequential(layers: readonly Layer[] = [], options: SequentialOptions = {}): Sequential {
  return new Sequential(layers, options);
}
