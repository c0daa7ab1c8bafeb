import type { CompileConfig } from '../../models/sequential.js';
import type { LossName } from '../../losses/losses.js';
import type { OptimizerName } from '../../optimizers/index.js';
import type { KerasStyle } from './architecture.js';

/**
 * Compile settings ⇄ Keras's compile_config (Keras 3, config.json) and training_config (Keras 2,
 * an .h5's root attribute). Settings digitnet cannot reproduce exactly (another loss or optimizer,
 * from_logits, amsgrad, weight decay, clipping, EMA) leave the model uncompiled, as Keras's
 * load_model(compile=False) would: its weights and predictions are the file's all the same.
 */

type Json = Record<string, unknown>;

const LOSS_TO_KERAS: Record<LossName, { name: string; className: string }> = {
  categoricalCrossentropy: { name: 'categorical_crossentropy', className: 'CategoricalCrossentropy' },
  sparseCategoricalCrossentropy: { name: 'sparse_categorical_crossentropy', className: 'SparseCategoricalCrossentropy' },
  meanSquaredError: { name: 'mean_squared_error', className: 'MeanSquaredError' },
};
const OPTIMIZER_CLASSES: Record<OptimizerName, string> = { adam: 'Adam', rmsprop: 'RMSprop', sgd: 'SGD' };
// Our option name → Keras's, per optimizer.
const OPTION_NAMES: Record<string, string> = { learningRate: 'learning_rate', beta1: 'beta_1', beta2: 'beta_2', epsilon: 'epsilon', rho: 'rho', momentum: 'momentum', nesterov: 'nesterov' };
const KERAS_DEFAULT_FLAGS: Record<OptimizerName, Json> = { adam: { amsgrad: false }, rmsprop: { centered: false }, sgd: {} };

function optimizerConfig(compile: CompileConfig, style: KerasStyle): Json {
  const name = compile.optimizer.name;
  const settings: Json = {};
  for (const [key, value] of Object.entries(compile.optimizer.config)) settings[OPTION_NAMES[key] ?? key] = value;
  const common: Json = {
    name: style === 'keras3' ? name : OPTIMIZER_CLASSES[name],
    learning_rate: settings.learning_rate,
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    ...(style === 'keras3' ? { loss_scale_factor: null, gradient_accumulation_steps: null } : {}),
  };
  return { ...common, ...settings, ...KERAS_DEFAULT_FLAGS[name] };
}

/** Keras 3's compile_config. */
export function kerasCompileConfig(compile: CompileConfig): Json {
  return {
    optimizer: { module: 'keras.optimizers', class_name: OPTIMIZER_CLASSES[compile.optimizer.name], config: optimizerConfig(compile, 'keras3'), registered_name: null },
    loss: LOSS_TO_KERAS[compile.loss].name,
    loss_weights: null,
    metrics: [...compile.metrics],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}

/** Keras 2's training_config. */
export function kerasTrainingConfig(compile: CompileConfig): Json {
  return {
    loss: LOSS_TO_KERAS[compile.loss].name,
    metrics: [...compile.metrics],
    weighted_metrics: null,
    loss_weights: null,
    optimizer_config: { class_name: OPTIMIZER_CLASSES[compile.optimizer.name], config: optimizerConfig(compile, 'keras2') },
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readLoss(value: unknown): LossName | undefined {
  let name = value;
  if (isObject(value)) {
    if (isObject(value.config) && value.config.from_logits === true) return undefined;
    if (isObject(value.config) && typeof value.config.label_smoothing === 'number' && value.config.label_smoothing !== 0) return undefined;
    // Keras 3 writes a loss given as a function as { class_name: 'function', config: 'its_name' }.
    name = value.class_name === 'function' && typeof value.config === 'string' ? value.config : value.class_name;
  }
  if (typeof name !== 'string') return undefined;
  if (name === 'mse') return 'meanSquaredError';
  for (const [loss, keras] of Object.entries(LOSS_TO_KERAS)) {
    if (name === keras.name || name === keras.className || name === loss) return loss as LossName;
  }
  return undefined;
}

function readMetrics(value: unknown): string[] {
  // Keras 2 nests metrics per output ([[...]]) and wraps them ({ class_name: 'MeanMetricWrapper', config: { name } }).
  const names: string[] = [];
  const visit = (item: unknown): void => {
    if (typeof item === 'string') names.push(item);
    else if (Array.isArray(item)) item.forEach(visit);
    else if (isObject(item) && isObject(item.config) && typeof item.config.name === 'string') names.push(item.config.name);
  };
  visit(value);
  const accuracy = names.find((name) => name === 'accuracy' || name === 'acc');
  return accuracy ? [accuracy] : [];
}

function readOptimizer(value: unknown): { name: OptimizerName; config: Record<string, number | boolean> } | undefined {
  if (typeof value === 'string') {
    const name = value.toLowerCase();
    return name in OPTIMIZER_CLASSES ? { name: name as OptimizerName, config: {} } : undefined;
  }
  if (!isObject(value) || typeof value.class_name !== 'string' || !isObject(value.config)) return undefined;
  const className = value.class_name.replace(/^Custom>/, '');
  const entry = Object.entries(OPTIMIZER_CLASSES).find(([, keras]) => keras === className);
  if (!entry) return undefined;
  const name = entry[0] as OptimizerName;
  const config = value.config;
  const inert = (key: string, expected: unknown): boolean => config[key] === undefined || config[key] === null || config[key] === expected;
  if (!inert('weight_decay', 0) || !inert('clipnorm', null) || !inert('global_clipnorm', null) || !inert('clipvalue', null) || !inert('use_ema', false) || !inert('amsgrad', false) || !inert('centered', false) || !inert('decay', 0)) return undefined;
  if (typeof config.learning_rate !== 'number' && config.learning_rate !== undefined) return undefined;
  const allowed: Record<OptimizerName, string[]> = { adam: ['learningRate', 'beta1', 'beta2', 'epsilon'], rmsprop: ['learningRate', 'rho', 'momentum', 'epsilon'], sgd: ['learningRate', 'momentum', 'nesterov'] };
  const options: Record<string, number | boolean> = {};
  for (const option of allowed[name]) {
    const given = config[OPTION_NAMES[option]!];
    if (typeof given === 'number' || typeof given === 'boolean') options[option] = given;
  }
  return { name, config: options };
}

/** Our compile settings from Keras 3's compile_config or Keras 2's training_config; undefined when not reproducible. */
export function readKerasCompile(value: unknown): CompileConfig | undefined {
  if (!isObject(value)) return undefined;
  const loss = readLoss(value.loss);
  const optimizer = readOptimizer(value.optimizer ?? value.optimizer_config);
  if (!loss || !optimizer) return undefined;
  return { optimizer, loss, metrics: readMetrics(value.metrics) };
}
