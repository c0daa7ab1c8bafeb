import type { CompileConfig } from '../../models/sequential.js';
import type { LossName } from '../../losses/losses.js';
import type { LossOptions } from '../../losses/loss-options.js';
import { createOptimizer, type OptimizerConfig, type OptimizerName } from '../../optimizers/index.js';
import { deserializeSchedule } from '../../optimizers/schedules/index.js';
import { isSerializedSchedule, type SerializedSchedule } from '../../optimizers/schedules/learning-rate-schedule.js';
import { camelFromSnake, snakeFromCamel, snakeKeys } from '../../naming.js';
import type { KerasStyle } from './architecture.js';

/**
 * Compile settings ⇄ Keras's compile_config (Keras 3, config.json) and training_config (Keras 2,
 * an .h5's root attribute). Settings digitnet cannot reproduce exactly (another loss or optimizer,
 * amsgrad, centered RMSprop, EMA, a schedule it has not) leave the model uncompiled, as Keras's
 * load_model(compile=False) would: its weights and predictions are the file's all the same.
 */

type Json = Record<string, unknown>;

const LOSS_TO_KERAS: Record<LossName, { name: string; className: string }> = {
  categoricalCrossentropy: { name: 'categorical_crossentropy', className: 'CategoricalCrossentropy' },
  sparseCategoricalCrossentropy: { name: 'sparse_categorical_crossentropy', className: 'SparseCategoricalCrossentropy' },
  meanSquaredError: { name: 'mean_squared_error', className: 'MeanSquaredError' },
};
const OPTIMIZER_CLASSES: Record<OptimizerName, string> = {
  adam: 'Adam',
  adamw: 'AdamW',
  nadam: 'Nadam',
  adamax: 'Adamax',
  adagrad: 'Adagrad',
  lion: 'Lion',
  rmsprop: 'RMSprop',
  sgd: 'SGD',
};
// Flags Keras writes that digitnet's optimizers do not have; any other value is not reproducible.
const KERAS_DEFAULT_FLAGS: Partial<Record<OptimizerName, Json>> = { adam: { amsgrad: false }, adamw: { amsgrad: false }, rmsprop: { centered: false } };
// The base options every Keras optimizer writes; digitnet has the first four.
const BASE_OPTIONS = ['learningRate', 'weightDecay', 'clipnorm', 'clipvalue', 'globalClipnorm'];

/** A schedule as Keras serializes it: { module, class_name, config, registered_name } (Keras 2 without module). */
function kerasSchedule(schedule: SerializedSchedule, style: KerasStyle): Json {
  const body = { class_name: schedule.className, config: { ...snakeKeys(schedule.config), name: schedule.className } };
  return style === 'keras3' ? { module: 'keras.optimizers.schedules', ...body, registered_name: null } : body;
}

function optimizerConfig(compile: CompileConfig, style: KerasStyle): Json {
  const name = compile.optimizer.name as OptimizerName;
  const settings: Json = {};
  for (const [key, value] of Object.entries(compile.optimizer.config)) {
    settings[snakeFromCamel(key)] = isSerializedSchedule(value) ? kerasSchedule(value, style) : value;
  }
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

/** A loss with options is written as its class, as Keras serializes a loss object; otherwise by name. */
function kerasLoss(compile: CompileConfig, style: KerasStyle): string | Json {
  const keras = LOSS_TO_KERAS[compile.loss];
  if (!compile.lossOptions) return keras.name;
  const config: Json = { name: keras.name, reduction: style === 'keras3' ? 'sum_over_batch_size' : 'auto', from_logits: compile.lossOptions.fromLogits ?? false };
  if (compile.loss === 'categoricalCrossentropy') config.label_smoothing = compile.lossOptions.labelSmoothing ?? 0;
  if (compile.loss !== 'meanSquaredError') config.axis = -1;
  const body = { class_name: keras.className, config };
  return style === 'keras3' ? { module: 'keras.losses', ...body, registered_name: null } : body;
}

/** Keras 3's compile_config. */
export function kerasCompileConfig(compile: CompileConfig): Json {
  return {
    optimizer: { module: 'keras.optimizers', class_name: OPTIMIZER_CLASSES[compile.optimizer.name as OptimizerName], config: optimizerConfig(compile, 'keras3'), registered_name: null },
    loss: kerasLoss(compile, 'keras3'),
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
    loss: kerasLoss(compile, 'keras2'),
    metrics: [...compile.metrics],
    weighted_metrics: null,
    loss_weights: null,
    optimizer_config: { class_name: OPTIMIZER_CLASSES[compile.optimizer.name as OptimizerName], config: optimizerConfig(compile, 'keras2') },
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readLoss(value: unknown): { loss: LossName; options?: LossOptions } | undefined {
  let name = value;
  const options: LossOptions = {};
  if (isObject(value)) {
    const config = isObject(value.config) ? value.config : {};
    if (config.from_logits === true) options.fromLogits = true;
    else if (config.from_logits !== undefined && config.from_logits !== false) return undefined;
    if (typeof config.label_smoothing === 'number' && config.label_smoothing !== 0) options.labelSmoothing = config.label_smoothing;
    // Keras 3 writes a loss given as a function as { class_name: 'function', config: 'its_name' }.
    name = value.class_name === 'function' && typeof value.config === 'string' ? value.config : value.class_name;
  }
  if (typeof name !== 'string') return undefined;
  const found = name === 'mse' ? 'meanSquaredError' : (Object.keys(LOSS_TO_KERAS) as LossName[]).find((loss) => name === LOSS_TO_KERAS[loss].name || name === LOSS_TO_KERAS[loss].className || name === loss);
  if (!found) return undefined;
  if (options.labelSmoothing !== undefined && found !== 'categoricalCrossentropy') return undefined;
  if (options.fromLogits && found === 'meanSquaredError') return undefined;
  return Object.keys(options).length > 0 ? { loss: found, options } : { loss: found };
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

/** A Keras schedule ({ class_name, config } with snake_case keys) as ours, or undefined when digitnet has no such schedule. */
function readSchedule(value: Json): SerializedSchedule | undefined {
  if (typeof value.class_name !== 'string' || !isObject(value.config)) return undefined;
  const config: Record<string, number | boolean | number[]> = {};
  for (const [key, setting] of Object.entries(value.config)) {
    if (key === 'name' || setting === null) continue;
    if (typeof setting !== 'number' && typeof setting !== 'boolean' && !(Array.isArray(setting) && setting.every((item) => typeof item === 'number'))) return undefined;
    config[camelFromSnake(key)] = setting as number | boolean | number[];
  }
  const serialized: SerializedSchedule = { className: value.class_name, config };
  try {
    deserializeSchedule(serialized);
  } catch {
    return undefined;
  }
  return serialized;
}

function readOptimizer(value: unknown): CompileConfig['optimizer'] | undefined {
  if (typeof value === 'string') {
    const name = value.toLowerCase();
    return name in OPTIMIZER_CLASSES ? { name, config: {} } : undefined;
  }
  if (!isObject(value) || typeof value.class_name !== 'string' || !isObject(value.config)) return undefined;
  const className = value.class_name.replace(/^Custom>/, '');
  const name = (Object.keys(OPTIMIZER_CLASSES) as OptimizerName[]).find((key) => OPTIMIZER_CLASSES[key] === className);
  if (!name) return undefined;
  const keras = value.config;
  const inert = (key: string, expected: unknown): boolean => keras[key] === undefined || keras[key] === null || keras[key] === expected;
  if (!inert('use_ema', false) || !inert('amsgrad', false) || !inert('centered', false) || !inert('decay', 0)) return undefined;
  // The optimizer's own options are whatever it reports in getConfig; anything else Keras wrote is checked above or ignored.
  const known = new Set([...BASE_OPTIONS, ...Object.keys(createOptimizer(name).getConfig())]);
  const config: OptimizerConfig = {};
  for (const [key, given] of Object.entries(keras)) {
    const option = camelFromSnake(key);
    if (!known.has(option) || given === null) continue;
    if (option === 'learningRate' && isObject(given)) {
      const schedule = readSchedule(given);
      if (!schedule) return undefined;
      config.learningRate = schedule;
    } else if (typeof given === 'number' || typeof given === 'boolean') {
      // Keras writes weight_decay 0 for none; AdamW keeps it, the others leave it out.
      if (option === 'weightDecay' && given === 0 && name !== 'adamw') continue;
      config[option] = given;
    } else {
      return undefined;
    }
  }
  try {
    createOptimizer(name, config);
  } catch {
    return undefined;
  }
  return { name, config };
}

/** Our compile settings from Keras 3's compile_config or Keras 2's training_config; undefined when not reproducible. */
export function readKerasCompile(value: unknown): CompileConfig | undefined {
  if (!isObject(value)) return undefined;
  const loss = readLoss(value.loss);
  const optimizer = readOptimizer(value.optimizer ?? value.optimizer_config);
  if (!loss || !optimizer) return undefined;
  const compile: CompileConfig = { optimizer, loss: loss.loss, metrics: readMetrics(value.metrics) };
  if (loss.options) compile.lossOptions = loss.options;
  return compile;
}
