import { z } from 'zod';
import { Dense, deserializeLayer, LAYER_CLASS_NAMES, type LayerConfig } from '../layers/index.js';
import { LARGEST_LAYER_UNITS } from '../validation.js';
import { Sequential, type CompileConfig, type SaveOptions } from '../models/sequential.js';
import { deserializeMetric, type MetricName } from '../metrics/index.js';
import { createOptimizer } from '../optimizers/index.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { encodeSafetensors, readSafetensors, type NamedTensor } from './safetensors.js';

const FORMAT = 'digitnet.sequential';
const FORMAT_VERSION = '1';

const modelConfigSchema = z.strictObject({
  className: z.literal('Sequential'),
  config: z.strictObject({
    name: z.string(),
    inputShape: z.array(z.number().int().positive()).min(1),
    layers: z.array(z.strictObject({ className: z.enum(LAYER_CLASS_NAMES), config: z.record(z.string(), z.unknown()) })).min(1),
  }),
});

const compileConfigSchema = z.strictObject({
  optimizer: z.strictObject({ name: z.enum(['adam', 'rmsprop', 'sgd']), config: z.record(z.string(), z.union([z.number(), z.boolean()])) }),
  loss: z.enum(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError']),
  metrics: z.array(z.union([z.string(), z.strictObject({ className: z.string(), config: z.record(z.string(), z.unknown()) })])),
});

// The optimizer's state: tensors "optimizer/<weight>/<slot>" and its update count in __metadata__.
const OPTIMIZER_PREFIX = 'optimizer/';

const optimizerStateSchema = z.strictObject({ iterations: z.number().int().min(0) });

export type { SaveOptions } from '../models/sequential.js';

/**
 * Saves the model as one safetensors file: its weights under Keras's names ("dense/kernel"), the
 * optimizer's state once it has trained ("optimizer/dense/kernel/momentum"), and the model and
 * compile configs as JSON in the header's __metadata__. The file appears complete or not at all.
 */
export function saveModel(model: Sequential, path: string, options: SaveOptions = {}): void {
  const tensors = model.weights.map((weight) => ({ name: weight.name, shape: weight.shape, values: weight.values }));
  const metadata: Record<string, string> = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    model: JSON.stringify({ className: 'Sequential', config: model.getConfig() }),
  };
  const compileConfig = model.getCompileConfig();
  if (compileConfig) metadata.compile = JSON.stringify(compileConfig);
  const optimizer = model.optimizer;
  if ((options.includeOptimizer ?? true) && compileConfig && optimizer?.isBuiltFor(model.weights)) {
    for (const buffer of optimizer.stateBuffers()) tensors.push({ ...buffer, name: OPTIMIZER_PREFIX + buffer.name });
    metadata.optimizerState = JSON.stringify({ iterations: optimizer.iterations });
  }
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

// model.save(path) writes this format.

/** Loads a model saved by saveModel, checking everything in the file before using it. */
export function loadModel(path: string): Sequential {
  const { tensors, metadata } = readSafetensors(path);
  const fail = (problem: string): never => {
    throw new Error(`${path} is not a digitnet model: ${problem}.`);
  };
  if (metadata.format !== FORMAT) fail(`its __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${FORMAT}"`);
  if (metadata.formatVersion !== FORMAT_VERSION) fail(`it has format version ${JSON.stringify(metadata.formatVersion)}; this digitnet reads version ${FORMAT_VERSION}`);
  const modelConfig = parseJson(metadata.model, modelConfigSchema, 'the model config', fail);
  // Before anything is built: building allocates and initialises every weight the config asks
  // for, so a header claiming millions of units would cost gigabytes before the shapes are compared.
  checkSizes(modelConfig.config.inputShape, modelConfig.config.layers, tensors, fail);
  let model: Sequential;
  try {
    model = Sequential.fromConfig(modelConfig.config);
  } catch (error) {
    fail(`its model config is invalid (${(error as Error).message})`);
  }
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const take = (name: string, shape: readonly number[]): Float32Array => {
    const stored = byName.get(name);
    if (!stored) fail(`it has no tensor "${name}"`);
    if (stored!.shape.length !== shape.length || stored!.shape.some((dimension, index) => dimension !== shape[index])) {
      fail(`tensor "${name}" has shape [${stored!.shape.join(', ')}] where the model needs [${shape.join(', ')}]`);
    }
    byName.delete(name);
    const bad = stored!.values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      fail(`tensor "${name}" holds ${stored!.values[bad]} at position ${bad}, and a usable model has only finite weights (a training that diverged gives such values; retrain it with a smaller learning rate)`);
    }
    return stored!.values;
  };
  for (const weight of model!.weights) weight.values.set(take(weight.name, weight.shape));
  if (metadata.compile !== undefined) {
    const compileConfig: CompileConfig = parseJson(metadata.compile, compileConfigSchema, 'the compile config', fail);
    try {
      model!.compile({
        optimizer: createOptimizer(compileConfig.optimizer.name, compileConfig.optimizer.config),
        loss: compileConfig.loss,
        // Names stay names (the logs keep their spelling); configured metrics are rebuilt from their class.
        metrics: compileConfig.metrics.map((metric) => (typeof metric === 'string' ? (metric as MetricName) : deserializeMetric(metric))),
      });
    } catch (error) {
      fail(`its compile config is invalid (${(error as Error).message})`);
    }
    if (metadata.optimizerState !== undefined) {
      const state = parseJson(metadata.optimizerState, optimizerStateSchema, 'the optimizer state', fail);
      const optimizer = model!.optimizer!;
      optimizer.build(model!.weights);
      for (const buffer of optimizer.stateBuffers()) buffer.values.set(take(OPTIMIZER_PREFIX + buffer.name, buffer.shape));
      optimizer.iterations = state.iterations;
    }
  }
  if (byName.size > 0) fail(`it has tensors the model does not use: ${[...byName.keys()].join(', ')}`);
  return model!;
}

/**
 * Compares the weights the config describes with the tensors the file stores, without building
 * anything: every layer within the unit cap, and the parameter count equal to the floats stored,
 * so that what loading allocates is bounded by the file's size. The exact per-tensor check follows
 * once the (now small) model is built.
 */
function checkSizes(inputShape: readonly number[], layers: readonly LayerConfig[], tensors: readonly NamedTensor[], fail: (problem: string) => never): void {
  let width = inputShape.reduce((product, dimension) => product * dimension, 1);
  let parameters = 0;
  for (const [index, config] of layers.entries()) {
    if (config.className === 'Flatten' || config.className === 'Dropout' || config.className === 'Activation') continue;
    let layer;
    try {
      // A layer's constructor checks its config and allocates nothing.
      layer = deserializeLayer(config);
    } catch (error) {
      fail(`its model config is invalid (${(error as Error).message})`);
    }
    if (!(layer instanceof Dense)) continue;
    if (layer.units > LARGEST_LAYER_UNITS) {
      fail(`its model config gives layer ${index + 1} ("${layer.name || 'dense'}") ${layer.units.toLocaleString('en-US')} units, more than the ${LARGEST_LAYER_UNITS.toLocaleString('en-US')} allowed`);
    }
    parameters += width * layer.units + (layer.useBias ? layer.units : 0);
    width = layer.units;
  }
  const stored = tensors.filter((tensor) => !tensor.name.startsWith(OPTIMIZER_PREFIX)).reduce((sum, tensor) => sum + tensor.values.length, 0);
  if (parameters !== stored) {
    fail(`its model config describes ${parameters.toLocaleString('en-US')} weights but the file stores ${stored.toLocaleString('en-US')}`);
  }
}

function parseJson<Schema extends z.ZodType>(text: string | undefined, schema: Schema, what: string, fail: (problem: string) => never): z.output<Schema> {
  if (text === undefined) fail(`${what} is missing from __metadata__`);
  let value: unknown;
  try {
    value = JSON.parse(text!);
  } catch {
    fail(`${what} is not JSON`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    fail(`${what} is invalid at ${issue.path.join('.') || 'its root'} (${issue.message})`);
  }
  return result.data as z.output<Schema>;
}
