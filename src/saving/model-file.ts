import { z } from 'zod';
import { LAYER_CLASS_NAMES } from '../layers/index.js';
import { registerModelSaver, Sequential, type CompileConfig, type SaveOptions } from '../models/sequential.js';
import { createOptimizer, OPTIMIZER_NAMES } from '../optimizers/index.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { encodeSafetensors, readSafetensors } from './safetensors.js';

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
  optimizer: z.strictObject({
    name: z.enum(OPTIMIZER_NAMES),
    // A learning-rate schedule is saved as { className, config }; the optimizer checks the rest.
    config: z.record(z.string(), z.union([z.number(), z.boolean(), z.strictObject({ className: z.string(), config: z.record(z.string(), z.union([z.number(), z.boolean(), z.array(z.number())])) })])),
  }),
  loss: z.enum(['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'meanSquaredError']),
  metrics: z.array(z.string()),
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
  const tensors = model.allWeights.map((weight) => ({ name: weight.name, shape: weight.shape, values: weight.values }));
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
registerModelSaver(saveModel);

/** Loads a model saved by saveModel, checking everything in the file before using it. */
export function loadModel(path: string): Sequential {
  const { tensors, metadata } = readSafetensors(path);
  const fail = (problem: string): never => {
    throw new Error(`${path} is not a digitnet model: ${problem}.`);
  };
  if (metadata.format !== FORMAT) fail(`its __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${FORMAT}"`);
  if (metadata.formatVersion !== FORMAT_VERSION) fail(`it has format version ${JSON.stringify(metadata.formatVersion)}; this digitnet reads version ${FORMAT_VERSION}`);
  const modelConfig = parseJson(metadata.model, modelConfigSchema, 'the model config', fail);
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
    return stored!.values;
  };
  for (const weight of model!.allWeights) weight.values.set(take(weight.name, weight.shape));
  if (metadata.compile !== undefined) {
    const compileConfig: CompileConfig = parseJson(metadata.compile, compileConfigSchema, 'the compile config', fail);
    try {
      model!.compile({
        optimizer: createOptimizer(compileConfig.optimizer.name, compileConfig.optimizer.config),
        loss: compileConfig.loss,
        metrics: compileConfig.metrics,
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
