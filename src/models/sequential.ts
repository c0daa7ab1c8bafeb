import { z } from 'zod';
import type { History } from '../callbacks/history.js';
import type { Tensor } from '../data/tensor.js';
import type { Engine } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';
import type { Layer, LayerConfig, Weight } from '../layers/layer.js';
import { deserializeLayer } from '../layers/index.js';
import { parseLoss, type LossIdentifier, type LossName } from '../losses/losses.js';
import { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerIdentifier } from '../optimizers/index.js';
import { Random } from '../random/rng.js';
import { resolveSeed } from '../random/seed.js';
import type { TargetInput } from '../trainers/data-adapters/array-data-adapter.js';
import { lossPlanFor } from '../trainers/loss-plan.js';
import type { EvaluateOptions, Evaluation, FitOptions } from '../trainers/options.js';
import type { TrainableModel } from '../trainers/trainable-model.js';
import { Trainer } from '../trainers/trainer.js';
import { parseOptions, shape } from '../validation.js';
import { formatSummary, summaryRows, type SummaryRow } from './summary.js';

export type { EvaluateOptions, Evaluation, FitOptions } from '../trainers/options.js';

export interface CompileOptions {
  optimizer: OptimizerIdentifier | Optimizer;
  loss: LossIdentifier;
  metrics?: readonly string[];
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
  metrics: string[];
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
export type ModelSaver = (model: Sequential, path: string, options: SaveOptions) => void;

let registeredSaver: ModelSaver | undefined;

/**
 * Called by saving/model-file.ts when it is loaded (the package's entry loads it), so that saving
 * imports the model and not the reverse, as Keras's Model.save defers to saving_api.
 */
export function registerModelSaver(saver: ModelSaver): void {
  registeredSaver = saver;
}

const METRIC_NAMES = ['accuracy', 'acc'];

const compileSchema = z.strictObject({
  optimizer: z.union(
    [z.string(), z.custom<Optimizer>((value) => typeof value === 'object' && value !== null && 'apply' in value)],
    'must be an optimizer name (adam, adamw, nadam, adamax, adagrad, lion, rmsprop, sgd) or an optimizer such as adam({ learningRate })',
  ),
  loss: z.string(),
  metrics: z.array(z.string()).optional(),
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
  private lossName: LossName | undefined;
  private metricNames: string[] = [];
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
    if (this.built) lossPlanFor(this.layers, loss, metricNames);
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

  summary(print: (line: string) => void = console.log): void {
    print(this.summaryText());
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
  }

  /** Saves weights, configs and the optimizer's state to one safetensors file (see saving/model-file.ts). */
  save(path: string, options: SaveOptions = {}): void {
    if (!registeredSaver) throw new Error(`model.save() needs digitnet's saving module: import the model from digitnet's entry point, which loads it.`);
    registeredSaver(this.requireBuilt(), path, options);
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

  /** Trains for a number of epochs over (x, y), as Keras's fit; resolves to the per-epoch History. */
  fit(x: Tensor, y: TargetInput, options: FitOptions = {}): Promise<History> {
    return this.trainer.fit(x, y, options);
  }

  /** Loss and accuracy over (x, y), without dropout. */
  evaluate(x: Tensor, y: TargetInput, options: EvaluateOptions = {}): Evaluation {
    return this.trainer.evaluate(x, y, options);
  }

  /** The last layer's output for every sample: class probabilities for a softmax model. */
  predict(x: Tensor, options: EvaluateOptions = {}): Tensor {
    return this.trainer.predict(x, options);
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

export function sequential(layers: readonly Layer[] = [], options: SequentialOptions = {}): Sequential {
  return new Sequential(layers, options);
}
