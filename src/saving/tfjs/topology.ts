import { z } from 'zod';
import { ACTIVATION_NAMES } from '../../engine/engine.js';
import type { ActivationName } from '../../layers/activations.js';
import { Activation } from '../../layers/activation.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import type { Layer } from '../../layers/layer.js';
import type { InitializerName } from '../../initializers/initializers.js';
import type { Sequential } from '../../models/sequential.js';

/**
 * The modelTopology of a TensorFlow.js "layers-model" model.json, as tfjs-layers serializes a
 * Sequential (class_name / config per layer, snake_case keys, batch_input_shape on the first
 * layer) and as tensorflowjs_converter writes a Keras model (the same wrapped in model_config,
 * often starting with an InputLayer).
 */

export const SUPPORTED_LAYER_CLASSES = ['InputLayer', 'Dense', 'Dropout', 'Flatten', 'Activation'] as const;

/** A layer of the topology as digitnet reads it, before its weights are attached. */
export type TopologyLayer =
  | { kind: 'dense'; name: string; units: number; activation: ActivationName; useBias: boolean; kernelInitializer?: InitializerName; biasInitializer?: InitializerName }
  | { kind: 'flatten'; name: string }
  | { kind: 'activation'; name: string; activation: ActivationName }
  | { kind: 'dropout'; name: string; rate: number };

export interface Topology {
  name: string;
  /** Without the batch dimension; undefined when nothing declares it (then the first kernel says). */
  inputShape: number[] | undefined;
  layers: TopologyLayer[];
}

const shapeWithBatch = z.array(z.number().int().positive().nullable()).min(2);

const serializedLayer = z.object({ class_name: z.string(), config: z.record(z.string(), z.unknown()) });

const sequentialTopology = z.object({
  class_name: z.string(),
  config: z.union([z.object({ name: z.string().optional(), layers: z.array(serializedLayer) }), z.array(serializedLayer)]),
});

export const modelTopologySchema = z.union([z.object({ model_config: sequentialTopology }), sequentialTopology]);

const layerName = z.string().min(1).max(256).optional();
const activationName = z.string().nullable().optional();

const initializer = z.object({ class_name: z.string(), config: z.record(z.string(), z.unknown()).optional() }).nullable().optional();
const denseConfig = z.object({
  name: layerName,
  units: z.number().int().positive(),
  activation: activationName,
  use_bias: z.boolean().optional(),
  kernel_initializer: initializer,
  bias_initializer: initializer,
});
const dropoutConfig = z.object({ name: layerName, rate: z.number().min(0).lt(1) });
const namedConfig = z.object({ name: layerName });
const activationConfig = z.object({ name: layerName, activation: z.string() });
// Keras 3 writes the dtype as a DTypePolicy object ({ class_name: 'DTypePolicy', config: { name: 'float32' } }).
const dtype = z.union([z.string(), z.object({ config: z.object({ name: z.string() }) }).transform((policy) => policy.config.name)]);
const inputShapeKeys = z.object({ batch_input_shape: shapeWithBatch.optional(), batch_shape: shapeWithBatch.optional(), dtype: dtype.nullable().optional() });

/** Parses the topology into digitnet's layers; `fail` gives the caller's one sentence. */
export function readTopology(value: unknown, fail: (problem: string) => never): Topology {
  const parsed = modelTopologySchema.safeParse(value);
  if (!parsed.success) fail(`its modelTopology is not a Sequential model's (${describe(parsed.error)})`);
  const topology = 'model_config' in parsed.data! ? parsed.data.model_config : parsed.data!;
  if (topology.class_name !== 'Sequential') {
    fail(`its model is a ${JSON.stringify(topology.class_name)} model; digitnet reads Sequential models`);
  }
  const serialized = Array.isArray(topology.config) ? topology.config : topology.config.layers;
  const name = Array.isArray(topology.config) ? 'sequential' : (topology.config.name ?? 'sequential');
  let inputShape: number[] | undefined;
  const layers: TopologyLayer[] = [];
  serialized.forEach((layer, index) => {
    const where = `layer ${index} (${layer.class_name})`;
    const shapeKeys = inputShapeKeys.safeParse(layer.config);
    if (!shapeKeys.success) fail(`${where} has an invalid input shape or dtype (${describe(shapeKeys.error)})`);
    const { batch_input_shape: batchInputShape, batch_shape: batchShape, dtype: layerDtype } = shapeKeys.data!;
    if (layerDtype != null && layerDtype !== 'float32') fail(`${where} computes in ${layerDtype}; digitnet reads float32 models`);
    const declared = batchShape ?? batchInputShape;
    if (declared) {
      if (index > 0) fail(`${where} declares an input shape but is not the first layer`);
      const dimensions = declared.slice(1);
      if (dimensions.some((dimension) => dimension === null)) fail(`${where} has input shape [${declared.join(', ')}]; only the batch dimension may be unknown`);
      inputShape = dimensions as number[];
    }
    const config = (schema: z.ZodType) => {
      const result = schema.safeParse(layer.config);
      if (!result.success) fail(`${where} has an invalid config (${describe(result.error)})`);
      return result.data as Record<string, unknown>;
    };
    const fallbackName = `layer_${index}`;
    switch (layer.class_name) {
      case 'InputLayer':
        if (index !== 0) fail(`${where} is an InputLayer that is not the first layer`);
        if (!declared) fail(`${where} is an InputLayer without a batch_input_shape`);
        break;
      case 'Dense': {
        const dense = config(denseConfig) as z.output<typeof denseConfig>;
        layers.push({
          kind: 'dense',
          name: dense.name ?? fallbackName,
          units: dense.units,
          activation: activation(dense.activation, where, fail),
          useBias: dense.use_bias ?? true,
          kernelInitializer: initializerName(dense.kernel_initializer),
          biasInitializer: initializerName(dense.bias_initializer),
        });
        break;
      }
      case 'Dropout': {
        const dropout = config(dropoutConfig) as z.output<typeof dropoutConfig>;
        layers.push({ kind: 'dropout', name: dropout.name ?? fallbackName, rate: dropout.rate });
        break;
      }
      case 'Flatten':
        layers.push({ kind: 'flatten', name: (config(namedConfig) as z.output<typeof namedConfig>).name ?? fallbackName });
        break;
      case 'Activation': {
        const parsedActivation = config(activationConfig) as z.output<typeof activationConfig>;
        layers.push({ kind: 'activation', name: parsedActivation.name ?? fallbackName, activation: activation(parsedActivation.activation, where, fail) });
        break;
      }
      default:
        fail(`layer ${index} is a ${JSON.stringify(layer.class_name)}, which digitnet does not read; supported are ${SUPPORTED_LAYER_CLASSES.join(', ')}`);
    }
  });
  return { name, inputShape, layers };
}

function activation(name: string | null | undefined, where: string, fail: (problem: string) => never): ActivationName {
  if (name === null || name === undefined) return 'linear';
  if ((ACTIVATION_NAMES as readonly string[]).includes(name)) return name as ActivationName;
  return fail(`${where} uses activation ${JSON.stringify(name)}; supported are ${ACTIVATION_NAMES.join(', ')}`);
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || 'its root'}: ${issue.message}`;
}

// tfjs serializes Keras's named initializers as the VarianceScaling they stand for, and so do we.
const INITIALIZERS: Record<InitializerName, { class_name: string; config: Record<string, unknown> }> = {
  glorotUniform: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
  glorotNormal: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
  heNormal: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'normal', seed: null } },
  heUniform: { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'uniform', seed: null } },
  zeros: { class_name: 'Zeros', config: {} },
  ones: { class_name: 'Ones', config: {} },
};

const CLASS_INITIALIZERS: Record<string, InitializerName> = {
  GlorotUniform: 'glorotUniform',
  GlorotNormal: 'glorotNormal',
  HeNormal: 'heNormal',
  HeUniform: 'heUniform',
  Zeros: 'zeros',
  Ones: 'ones',
};

/**
 * digitnet's name for a serialized initializer, kept so a round trip gives the same config. Any
 * other initializer is not an error: a loaded model's weights come from the file, and the
 * initializer would only matter to re-initialize it, so the default stands in for it.
 */
function initializerName(serialized: { class_name: string; config?: Record<string, unknown> } | null | undefined): InitializerName | undefined {
  if (!serialized) return undefined;
  if (serialized.class_name in CLASS_INITIALIZERS) return CLASS_INITIALIZERS[serialized.class_name];
  if (serialized.class_name !== 'VarianceScaling') return undefined;
  const config = serialized.config ?? {};
  const found = (Object.entries(INITIALIZERS) as [InitializerName, (typeof INITIALIZERS)[InitializerName]][]).find(
    ([, written]) => written.class_name === 'VarianceScaling' && ['scale', 'mode', 'distribution'].every((key) => written.config[key] === config[key]),
  );
  return found?.[0];
}

/** The modelTopology tfjs-layers would write for this model. */
export function writeTopology(model: Sequential, generatedBy: string): Record<string, unknown> {
  const layers = model.layers.map((layer, index) => {
    const config: Record<string, unknown> = { ...layerConfig(layer), name: layer.name, trainable: true };
    if (index === 0) {
      config.batch_input_shape = [null, ...model.inputShape];
      config.dtype = 'float32';
    }
    return { class_name: layer.className, config };
  });
  return { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: generatedBy, backend: 'tensor_flow.js' };
}

function layerConfig(layer: Layer): Record<string, unknown> {
  if (layer instanceof Dense) {
    return {
      units: layer.units,
      activation: layer.activation,
      use_bias: layer.useBias,
      kernel_initializer: INITIALIZERS[layer.kernelInitializer],
      bias_initializer: INITIALIZERS[layer.biasInitializer],
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
  if (layer instanceof Dropout) return { rate: layer.rate, noise_shape: null, seed: null };
  if (layer instanceof Activation) return { activation: layer.activation };
  return {};
}
