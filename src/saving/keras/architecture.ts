import { Activation } from '../../layers/activation.js';
import { ActivityRegularization } from '../../layers/activity-regularization.js';
import { BatchNormalization } from '../../layers/batch-normalization.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { Flatten } from '../../layers/flatten.js';
import { GaussianNoise } from '../../layers/gaussian-noise.js';
import { ImageAugmentation } from '../../layers/image-augmentation.js';
import { LayerNormalization } from '../../layers/layer-normalization.js';
import { EXTRA_ACTIVATION_NAMES } from '../../engine/activation-functions.js';
import { serializeConstraint, type Constraint } from '../../constraints/constraints.js';
import { serializeRegularizer, type Regularizer } from '../../regularizers/regularizers.js';
import type { LayerConfig } from '../../layers/layer.js';
import type { ModelConfig, Sequential } from '../../models/sequential.js';
import type { InitializerName } from '../../initializers/initializers.js';
import { snakeKeys } from '../../naming.js';

/**
 * Keras's model config ⇄ digitnet's, for the layers digitnet has. Keras 3 (`.keras`) writes every
 * object as { module, class_name, config, registered_name } with layers' build_config; Keras 2
 * (`.h5`'s model_config) writes { class_name, config } and an InputLayer's batch_input_shape.
 * Reading accepts both, and Functional models whose layers form one chain. Only the known classes
 * are built, each from plain numbers and names: nothing in a file is ever run (Keras's safe_mode).
 */

export const SUPPORTED_KERAS_LAYERS = ['InputLayer', 'Dense', 'Dropout', 'Flatten', 'Activation', 'BatchNormalization', 'LayerNormalization', 'GaussianNoise', 'ActivityRegularization'] as const;
// Keras 3's names, which digitnet's activations carry; 'swish' is Keras 2's name for silu.
const SUPPORTED_ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear', ...EXTRA_ACTIVATION_NAMES, 'swish'];
const REGULARIZER_CLASSES = ['L1', 'L2', 'L1L2'];
const CONSTRAINT_CLASSES = ['MaxNorm', 'UnitNorm', 'NonNeg'];
const INITIALIZER_CLASSES: Record<InitializerName, string> = {
  glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal',
  heNormal: 'HeNormal',
  heUniform: 'HeUniform',
  zeros: 'Zeros',
  ones: 'Ones',
};

export type KerasStyle = 'keras3' | 'keras2';
type Json = Record<string, unknown>;

function kerasObject(style: KerasStyle, module: string, className: string, config: Json, extra: Json = {}): Json {
  return style === 'keras3' ? { module, class_name: className, config, registered_name: null, ...extra } : { class_name: className, config };
}

function dtypePolicy(style: KerasStyle): unknown {
  return style === 'keras3' ? kerasObject(style, 'keras', 'DTypePolicy', { name: 'float32' }) : 'float32';
}

function initializer(style: KerasStyle, name: InitializerName): Json {
  const className = INITIALIZER_CLASSES[name];
  return kerasObject(style, 'keras.initializers', className, name === 'zeros' || name === 'ones' ? {} : { seed: null });
}

/** The model's config as Keras writes it: Keras 3's for config.json, Keras 2's for an .h5 model_config. */
export function kerasModelConfig(model: Sequential, style: KerasStyle): Json {
  const batch = (shape: readonly number[]): Array<number | null> => [null, ...shape];
  const inputShape = model.inputShape;
  const layers: Json[] = [
    kerasObject(style, 'keras.layers', 'InputLayer', {
      [style === 'keras3' ? 'batch_shape' : 'batch_input_shape']: batch(inputShape),
      dtype: 'float32',
      sparse: false,
      ragged: false,
      name: 'input_layer',
    }),
  ];
  for (const layer of model.layers) {
    const common: Json = { name: layer.name, trainable: true, dtype: dtypePolicy(style) };
    const build = style === 'keras3' ? { build_config: { input_shape: batch(layer.inputShape) } } : {};
    if (layer instanceof Dense) {
      layers.push(
        kerasObject(
          style,
          'keras.layers',
          'Dense',
          {
            ...common,
            units: layer.units,
            activation: layer.activation,
            use_bias: layer.useBias,
            kernel_initializer: initializer(style, layer.kernelInitializer),
            bias_initializer: initializer(style, layer.biasInitializer),
            kernel_regularizer: regularizer(style, layer.kernelRegularizer),
            bias_regularizer: regularizer(style, layer.biasRegularizer),
            ...(style === 'keras2' || layer.activityRegularizer ? { activity_regularizer: regularizer(style, layer.activityRegularizer) } : {}),
            kernel_constraint: constraint(style, layer.kernelConstraint),
            bias_constraint: constraint(style, layer.biasConstraint),
          },
          build,
        ),
      );
    } else if (layer instanceof BatchNormalization || layer instanceof LayerNormalization) {
      const batchNormalization = layer instanceof BatchNormalization;
      const config: Json = {
        ...common,
        axis: batchNormalization ? -1 : [-1],
        ...(batchNormalization ? { momentum: layer.momentum } : {}),
        epsilon: layer.epsilon,
        center: layer.center,
        scale: layer.scale,
        ...(!batchNormalization && style === 'keras3' ? { rms_scaling: false } : {}),
        beta_initializer: initializer(style, 'zeros'),
        gamma_initializer: initializer(style, 'ones'),
        ...(batchNormalization ? { moving_mean_initializer: initializer(style, 'zeros'), moving_variance_initializer: initializer(style, 'ones') } : {}),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
        ...(batchNormalization && style === 'keras3' ? { synchronized: false } : {}),
      };
      layers.push(kerasObject(style, 'keras.layers', layer.className, config, build));
    } else if (layer instanceof GaussianNoise) {
      layers.push(kerasObject(style, 'keras.layers', 'GaussianNoise', { ...common, stddev: layer.stddev, seed: null }, build));
    } else if (layer instanceof ActivityRegularization) {
      layers.push(kerasObject(style, 'keras.layers', 'ActivityRegularization', { ...common, l1: layer.regularizer.l1, l2: layer.regularizer.l2 }, build));
    } else if (layer instanceof Dropout) {
      layers.push(kerasObject(style, 'keras.layers', 'Dropout', { ...common, rate: layer.rate, seed: null, noise_shape: null }));
    } else if (layer instanceof Flatten) {
      // No build_config: Keras 3's Flatten, Activation and Dropout keep Layer's default build(), so
      // they are built when constructed and serialize none (layers/layer.py get_build_config).
      layers.push(kerasObject(style, 'keras.layers', 'Flatten', { ...common, data_format: 'channels_last' }));
    } else if (layer instanceof Activation) {
      layers.push(kerasObject(style, 'keras.layers', 'Activation', { ...common, activation: layer.activation }));
    } else {
      const why = !(layer instanceof ImageAugmentation)
        ? 'Keras has no layer that computes it as digitnet does'
        : `Keras's image layers take [height, width, channels] images where digitnet's take [height, width]${layer.className === 'RandomElasticTransform' ? ", and Keras's RandomElasticTransform is not parameterized by Simard's alpha and sigma" : ''}`;
      throw new Error(`Layer "${layer.name}" (${layer.className}) cannot be written to a Keras file: ${why}; save as .safetensors (digitnet's own) to keep it, or .onnx, which leaves training-only layers out.`);
    }
  }
  const config: Json = { name: model.name, trainable: true, dtype: dtypePolicy(style), layers, build_input_shape: batch(inputShape) };
  return style === 'keras3'
    ? kerasObject(style, 'keras', 'Sequential', config, { build_config: { input_shape: batch(inputShape) } })
    : { class_name: 'Sequential', config };
}

/** Keras serializes a regularizer as its class (L1, L2, L1L2) and config, as an initializer. */
function regularizer(style: KerasStyle, value: Regularizer | null): Json | null {
  if (!value) return null;
  const serialized = serializeRegularizer(value);
  return kerasObject(style, 'keras.regularizers', serialized.className, serialized.config);
}

/** MaxNorm also names the axis its norms run over: 0, each unit's column of the kernel, as digitnet computes them. */
function constraint(style: KerasStyle, value: Constraint | null): Json | null {
  if (!value) return null;
  const serialized = serializeConstraint(value);
  return kerasObject(style, 'keras.constraints', serialized.className, { ...snakeKeys(serialized.config), ...(serialized.className === 'NonNeg' ? {} : { axis: 0 }) });
}

/** A problem with the file, worded as the end of "FILE cannot be loaded: ...". */
export class KerasFormatError extends Error {}

const fail = (problem: string): never => {
  throw new KerasFormatError(problem);
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sampleShape(value: unknown, what: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length < 2 || value.slice(1).some((dimension) => !Number.isInteger(dimension) || (dimension as number) < 1)) {
    fail(`${what} is ${JSON.stringify(value)}, not a batch shape such as [null, 784]`);
  }
  return (value as number[]).slice(1);
}

export interface ReadArchitecture {
  config: ModelConfig;
  /** Whether the input shape came from the file; otherwise the first kernel's rows give it. */
  inputShapeKnown: boolean;
}

/** digitnet's model config from a Keras model config (Keras 2 or 3), or one sentence on what is unsupported. */
export function readKerasModelConfig(value: unknown): ReadArchitecture {
  if (!isObject(value) || typeof value.class_name !== 'string' || !isObject(value.config)) fail('its model config is not a Keras model config (no class_name and config)');
  const root = value as Json & { config: Json; class_name: string };
  const className = root.class_name;
  if (!['Sequential', 'Functional', 'Model'].includes(className)) {
    fail(`its model is a ${className}; digitnet reads Sequential models and Functional models whose layers form one chain`);
  }
  const entries = root.config.layers;
  if (!Array.isArray(entries) || entries.length === 0) fail('its model config lists no layers');
  const layerEntries = entries as unknown[];
  if (className !== 'Sequential') checkChain(layerEntries);
  let inputShape = sampleShape(root.config.build_input_shape, 'its build_input_shape') ?? sampleShape(isObject(root.build_config) ? root.build_config.input_shape : undefined, 'its build_config input_shape');
  const layers: LayerConfig[] = [];
  const known: Array<Json & { class_name: string; config: Json }> = [];
  const unsupported = new Set<string>();
  layerEntries.forEach((entry, index) => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) fail(`layer ${index + 1} of its model config has no class_name and config`);
    const layer = entry as Json & { class_name: string; config: Json };
    const config = layer.config;
    const declared = sampleShape(config.batch_shape, `layer ${index + 1}'s batch_shape`) ?? sampleShape(config.batch_input_shape, `layer ${index + 1}'s batch_input_shape`);
    if (declared && known.length === 0) inputShape = declared;
    if (!(SUPPORTED_KERAS_LAYERS as readonly string[]).includes(layer.class_name)) {
      unsupported.add(layer.class_name);
      return;
    }
    if (layer.class_name === 'InputLayer') return;
    known.push(layer);
  });
  if (unsupported.size > 0) {
    const names = [...unsupported];
    fail(
      `it has ${names.length === 1 ? 'a layer' : 'layers'} digitnet does not support (${names.join(', ')}); digitnet reads ${SUPPORTED_KERAS_LAYERS.join(', ')} layers, and never runs code from a file`,
    );
  }
  for (const layer of known) {
    checkFloat32(layer.config, layer.class_name);
    layers.push(readLayer(layer.class_name, layer.config));
  }
  if (layers.length === 0) fail('its model has no layers besides its input');
  const name = typeof root.config.name === 'string' ? root.config.name : 'sequential';
  return { config: { name, layers, ...(inputShape ? { inputShape } : {}) }, inputShapeKnown: inputShape !== undefined };
}

function checkFloat32(config: Json, className: string): void {
  const dtype = config.dtype;
  const name = isObject(dtype) && isObject(dtype.config) ? dtype.config.name : dtype;
  if (name !== undefined && name !== null && name !== 'float32') fail(`its ${className} layer "${String(config.name)}" computes in ${String(name)}; digitnet reads float32 models`);
}

function activationOf(value: unknown, layerName: string): string {
  if (value === undefined || value === null) return 'linear';
  const name = isObject(value) ? value.class_name : value;
  if (typeof name !== 'string' || !SUPPORTED_ACTIVATIONS.includes(name)) {
    fail(`its layer "${layerName}" uses activation ${JSON.stringify(name ?? value)}; digitnet supports ${SUPPORTED_ACTIVATIONS.join(', ')}`);
  }
  return name === 'swish' ? 'silu' : (name as string);
}

function regularizerOf(value: unknown, layer: string, part: string): { className: string; config: { l1?: number; l2?: number } } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || typeof value.class_name !== 'string' || !REGULARIZER_CLASSES.includes(value.class_name) || !isObject(value.config)) {
    fail(`its layer "${layer}" has a ${part}_regularizer digitnet does not have (${JSON.stringify(isObject(value) ? value.class_name : value)}); supported are ${REGULARIZER_CLASSES.join(', ')}`);
  }
  const given = value as Json & { class_name: string; config: Json };
  const config: { l1?: number; l2?: number } = {};
  for (const key of ['l1', 'l2'] as const) {
    const amount = given.config[key];
    if (amount === undefined || amount === null) continue;
    if (typeof amount !== 'number') fail(`its layer "${layer}" has a ${part}_regularizer whose ${key} is ${JSON.stringify(amount)}`);
    config[key] = amount as number;
  }
  return { className: given.class_name, config };
}

function constraintOf(value: unknown, layer: string, part: string): { className: string; config?: { maxValue?: number } } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || typeof value.class_name !== 'string' || !CONSTRAINT_CLASSES.includes(value.class_name)) {
    fail(`its layer "${layer}" has a ${part}_constraint digitnet does not have (${JSON.stringify(isObject(value) ? value.class_name : value)}); supported are ${CONSTRAINT_CLASSES.join(', ')}`);
  }
  const given = value as Json & { class_name: string };
  const config = isObject(given.config) ? given.config : {};
  if (config.axis !== undefined && config.axis !== 0) fail(`its layer "${layer}" has a ${part}_constraint over axis ${JSON.stringify(config.axis)}; digitnet constrains each unit's column (axis 0)`);
  if (given.class_name === 'MaxNorm') {
    if (config.max_value !== undefined && typeof config.max_value !== 'number') fail(`its layer "${layer}" has a MaxNorm with max_value ${JSON.stringify(config.max_value)}`);
    return { className: 'MaxNorm', config: config.max_value === undefined ? {} : { maxValue: config.max_value as number } };
  }
  return { className: given.class_name };
}

function initializerOf(value: unknown): InitializerName | undefined {
  const className = isObject(value) ? value.class_name : value;
  const found = Object.entries(INITIALIZER_CLASSES).find(([camel, keras]) => className === keras || className === camel || className === keras.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
  // An initializer only shapes fresh weights; a loaded model's weights come from the file.
  return found ? (found[0] as InitializerName) : undefined;
}

function readLayer(className: string, config: Json): LayerConfig {
  const name = typeof config.name === 'string' && config.name.length > 0 ? config.name : undefined;
  const label = name ?? className;
  const withName = name ? { name } : {};
  switch (className) {
    case 'Dense': {
      if (!Number.isInteger(config.units) || (config.units as number) < 1) fail(`its Dense layer "${label}" has units ${JSON.stringify(config.units)}`);
      const kernelInitializer = initializerOf(config.kernel_initializer);
      const biasInitializer = initializerOf(config.bias_initializer);
      const regularizers = Object.fromEntries(
        (['kernel', 'bias', 'activity'] as const).flatMap((part) => {
          const read = regularizerOf(config[`${part}_regularizer`], label, part);
          return read ? [[`${part}Regularizer`, read]] : [];
        }),
      );
      const constraints = Object.fromEntries(
        (['kernel', 'bias'] as const).flatMap((part) => {
          const read = constraintOf(config[`${part}_constraint`], label, part);
          return read ? [[`${part}Constraint`, read]] : [];
        }),
      );
      return {
        className: 'Dense',
        config: {
          ...withName,
          units: config.units,
          activation: activationOf(config.activation, label),
          useBias: config.use_bias !== false,
          ...(kernelInitializer ? { kernelInitializer } : {}),
          ...(biasInitializer ? { biasInitializer } : {}),
          ...regularizers,
          ...constraints,
        },
      };
    }
    case 'BatchNormalization':
    case 'LayerNormalization': {
      const axis = Array.isArray(config.axis) && config.axis.length === 1 ? config.axis[0] : config.axis;
      if (axis !== undefined && axis !== -1 && axis !== 1) fail(`its ${className} layer "${label}" normalizes over axis ${JSON.stringify(config.axis)}; digitnet normalizes the last axis of flat samples`);
      if (config.rms_scaling === true) fail(`its LayerNormalization layer "${label}" uses rms_scaling, which digitnet does not have`);
      const numbers: Json = {};
      for (const key of className === 'BatchNormalization' ? ['momentum', 'epsilon'] : ['epsilon']) {
        if (config[key] === undefined) continue;
        if (typeof config[key] !== 'number') fail(`its ${className} layer "${label}" has ${key} ${JSON.stringify(config[key])}`);
        numbers[key] = config[key];
      }
      return { className, config: { ...withName, ...numbers, center: config.center !== false, scale: config.scale !== false } };
    }
    case 'GaussianNoise':
      if (typeof config.stddev !== 'number') fail(`its GaussianNoise layer "${label}" has stddev ${JSON.stringify(config.stddev)}`);
      return { className, config: { ...withName, stddev: config.stddev } };
    case 'ActivityRegularization':
      for (const key of ['l1', 'l2']) if (config[key] !== undefined && typeof config[key] !== 'number') fail(`its ActivityRegularization layer "${label}" has ${key} ${JSON.stringify(config[key])}`);
      return { className, config: { ...withName, l1: config.l1 ?? 0, l2: config.l2 ?? 0 } };
    case 'Dropout': {
      const rate = config.rate;
      if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail(`its Dropout layer "${label}" has rate ${JSON.stringify(rate)}`);
      return { className: 'Dropout', config: { ...withName, rate } };
    }
    case 'Flatten':
      if (config.data_format === 'channels_first') fail(`its Flatten layer "${label}" is channels_first; digitnet flattens channels_last`);
      return { className: 'Flatten', config: { ...withName } };
    default:
      return { className: 'Activation', config: { ...withName, activation: activationOf(config.activation, label) } };
  }
}

/** A Functional model is read as a Sequential one only if each layer takes the previous one's output. */
function checkChain(entries: unknown[]): void {
  const names = entries.map((entry) => (isObject(entry) && isObject(entry.config) ? String(entry.config.name ?? entry.name) : ''));
  const known = new Set(names);
  entries.forEach((entry, index) => {
    if (index === 0) return;
    const sources = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value === 'string' && known.has(value)) sources.add(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (isObject(value)) Object.values(value).forEach(collect);
    };
    collect(isObject(entry) ? entry.inbound_nodes : undefined);
    if (sources.size !== 1 || !sources.has(names[index - 1]!)) {
      fail(`its Functional model is not a single chain of layers (layer "${names[index]}" does not take exactly the output of "${names[index - 1]}")`);
    }
  });
}
