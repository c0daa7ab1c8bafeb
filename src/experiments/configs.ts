/**
 * What one experiment trains: a preset of the seed notebooks by name, a preset with some
 * settings changed, or a model described from scratch. Every form is plain JSON, so a
 * comparison can be written as a file (`{ "runs": [ ... ] }`).
 */
import { z } from 'zod';
import type { ImageSet } from '../data/tensor.js';
import { LOSS_NAMES, parseLoss, type LossName } from '../losses/losses.js';
import { parseAugmentSpec, type AugmentSpec } from '../models/augmentation.js';
import { didYouMean, PRESETS, presetNamed, type HiddenLayer, type Preset } from '../models/presets.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optimizers/index.js';
import { SCHEDULE_CHOICES, type ScheduleChoice } from '../optimizers/configured.js';
import { formatValue, LARGEST_LAYER_UNITS, parseOptions, positiveInteger, positiveNumber } from '../validation.js';

/** The activations a hidden layer may have (the output layer is always softmax). */
export const HIDDEN_ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

/**
 * Images an experiment is given instead of loading MNIST itself, e.g. the folder or CSV file
 * `digitnet train --data` read. Not expressible in a comparison file: it holds the images.
 */
export interface ExperimentImages {
  /** How messages and reports name the data, e.g. "CSV file digits/train.csv". */
  name: string;
  train: ImageSet;
  /** Null when the data has none: the model is then measured on its validation split. */
  test: ImageSet | null;
}

/** A model and its training described from scratch. */
export interface CustomExperimentConfig {
  name: string;
  /** Hidden layers, each optionally followed by dropout; [] is plain softmax regression. */
  hidden: readonly HiddenLayer[];
  /** The hidden layers' activation; relu, as every notebook, when omitted. */
  activation?: HiddenActivation;
  /** [784] (flat vectors, the default) or [28, 28] (the model starts with Flatten). */
  inputShape?: readonly number[];
  optimizer: OptimizerName;
  /** The optimizer's Keras default when omitted. */
  learningRate?: number;
  /** Keras's weight_decay on the optimizer (AdamW's decoupled decay); null drops a preset's. */
  weightDecay?: number | null;
  /** 'cosine' decays the learning rate to 0 over all the training's steps; 'constant' (the default) keeps it. */
  schedule?: ScheduleChoice;
  /** Epochs of linear warm-up before a cosine schedule; null drops a preset's. */
  warmupEpochs?: number | null;
  /** Augmentation in front of the model, as train's --augment spells it ("rotation=10,elastic"); null drops a preset's. */
  augment?: string | null;
  /** Keras's snake_case spelling ('categorical_crossentropy') is accepted too. */
  loss: LossName | string;
  epochs: number;
  /** 32, as Keras, when omitted. */
  batchSize?: number;
  /** 'test' validates on the test set after each epoch, a number is Keras's validationSplit; none when omitted. */
  validation?: 'test' | number | null;
  /** EarlyStopping(patience) on val_loss; none when omitted or null. */
  earlyStoppingPatience?: number | null;
  /** Puts back the best epoch's weights when early stopping ends training. */
  restoreBest?: boolean;
  /** 'combined' trains on all 70,000 images in OpenML order with a validation split, as notebook 000. */
  data?: 'mnist' | 'combined';
  /** Trains on the first `limit` images only. */
  limit?: number;
  seed?: number;
}

/** A preset with some of its settings changed, e.g. `{ "preset": "baseline-32", "epochs": 2 }`. */
export interface PresetExperimentConfig extends Partial<Omit<CustomExperimentConfig, 'hidden' | 'inputShape'>> {
  preset: string;
}

/** A preset's name, a preset with changes, or a custom model. */
export type ExperimentConfig = string | PresetExperimentConfig | CustomExperimentConfig;

/** The notebook's figure a run is measured against. */
export interface ReportedFigure {
  metric: 'test accuracy' | 'validation accuracy';
  accuracy: number;
  loss?: number;
  /** e.g. "notebook 002". */
  source: string;
}

/** An experiment with every setting decided. */
export { SCHEDULE_CHOICES, type ScheduleChoice } from '../optimizers/configured.js';

export interface ResolvedExperiment {
  name: string;
  /** The preset it started from, if any. */
  preset: string | null;
  hidden: HiddenLayer[];
  activation: HiddenActivation;
  /** [28, 28] or [784] for MNIST; for other images only its length counts (Flatten first, or flat vectors). */
  inputShape: number[];
  optimizer: OptimizerName;
  learningRate: number | null;
  /** Keras's weight_decay on the optimizer (AdamW's decoupled decay); absent or null for none beyond the optimizer's default. */
  weightDecay?: number | null;
  /** How the learning rate changes over the training: 'cosine' decays it to 0 over all the steps (cosineDecay); absent or 'constant' keeps it. */
  schedule?: ScheduleChoice | null;
  /** Epochs of linear warm-up before a cosine schedule; absent or null for none. */
  warmupEpochs?: number | null;
  /** Augmentation layers in front of the model, active in training only (train --augment); absent or null for none. */
  augment?: AugmentSpec | null;
  loss: LossName;
  epochs: number;
  batchSize: number;
  validation: 'test' | number | null;
  earlyStoppingPatience: number | null;
  restoreBest: boolean;
  /** 'mnist' has a test set; 'combined' and given images without one are measured on the validation split. */
  data: 'mnist' | 'combined' | ExperimentImages;
  limit: number | null;
  seed: number | null;
  reported: ReportedFigure | null;
}

const NAME = 'must be a non-empty string';
const name = z.string(NAME).trim().min(1, NAME);
const hiddenLayer = z.strictObject({
  units: positiveInteger.max(LARGEST_LAYER_UNITS, `must be at most ${LARGEST_LAYER_UNITS} (the largest layer digitnet trains)`),
  dropout: z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').optional(),
  batchNormalization: z.boolean('must be true or false').optional(),
});
const VALIDATION = 'must be "test", a fraction in (0, 1) or null';
const validation = z.union(
  [z.literal('test'), z.number(VALIDATION).gt(0, VALIDATION).lt(1, VALIDATION), z.null()],
  VALIDATION,
);
const PATIENCE = 'must be a non-negative integer or null';
const patience = z.union([z.number(PATIENCE).int(PATIENCE).min(0, PATIENCE), z.null()], PATIENCE);
const SEED = 'must be an integer in 0..4294967295';
const WARMUP = 'must be a whole number of epochs, 0 or more';
const warmupEpochs = z.number(WARMUP).int(WARMUP).min(0, WARMUP);
const AUGMENT = 'must be a string such as "rotation=10,elastic", or null';
const seed = z.number(SEED).int(SEED).min(0, SEED).max(0xffffffff, SEED);
const INPUT_SHAPE = 'must be [784] or [28, 28]';
const inputShape = z
  .array(positiveInteger, INPUT_SHAPE)
  .refine((dims) => (dims.length === 1 && dims[0] === 784) || (dims.length === 2 && dims[0] === 28 && dims[1] === 28), INPUT_SHAPE);
const LOSS = `must be one of ${LOSS_NAMES.join(', ')}`;
const loss = z.string(LOSS).refine((value) => {
  try {
    parseLoss(value);
    return true;
  } catch {
    return false;
  }
}, LOSS);

// Keras's class spellings ('Adam', 'RMSprop') are accepted, as compile() accepts them.
const optimizer = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(OPTIMIZER_NAMES as [OptimizerName, ...OptimizerName[]]));

// Shared by both object forms; optional here, required fields are added per form.
const settings = {
  name: name.optional(),
  activation: z.enum(HIDDEN_ACTIVATIONS).optional(),
  optimizer: optimizer.optional(),
  learningRate: positiveNumber.optional(),
  weightDecay: positiveNumber.nullable().optional(),
  schedule: z.enum(SCHEDULE_CHOICES).optional(),
  warmupEpochs: warmupEpochs.nullable().optional(),
  augment: z.string(AUGMENT).nullable().optional(),
  loss: loss.optional(),
  epochs: positiveInteger.optional(),
  batchSize: positiveInteger.optional(),
  validation: validation.optional(),
  earlyStoppingPatience: patience.optional(),
  restoreBest: z.boolean('must be true or false').optional(),
  data: z.enum(['mnist', 'combined']).optional(),
  limit: positiveInteger.optional(),
  seed: seed.optional(),
};

const presetSchema = z.strictObject({ preset: z.string(NAME), ...settings });
const customSchema = z.strictObject({
  ...settings,
  name,
  hidden: z.array(hiddenLayer, 'must be an array of { units, dropout? } layers'),
  inputShape: inputShape.optional(),
  optimizer: settings.optimizer.unwrap(),
  loss,
  epochs: positiveInteger,
});

/** "512-d0.2-512-d0.2" for 512 units, dropout 0.2, twice ("800-bn-d0.2" with batch normalization); "(none)" without hidden layers. */
export function hiddenLayersLabel(hidden: readonly HiddenLayer[]): string {
  if (hidden.length === 0) return '(none)';
  return hidden.map((layer) => `${layer.units}${layer.batchNormalization ? '-bn' : ''}${layer.dropout ? `-d${layer.dropout}` : ''}`).join('-');
}

function reportedOf(preset: Preset): ReportedFigure | null {
  if (!preset.reported) return null;
  return {
    metric: preset.reported.metric,
    accuracy: preset.reported.accuracy,
    ...(preset.reported.loss !== undefined ? { loss: preset.reported.loss } : {}),
    source: `notebook ${preset.notebook}${preset.reported.metric === 'validation accuracy' ? ' (validation accuracy)' : ''}`,
  };
}

/**
 * A notebook's figure measures its model trained its way, so it stands beside a run only while no
 * setting differs from the preset's; `changed` names those that do. `digitnet train` (its
 * options), comparison files (a preset's fields) and runResolvedExperiment (limit, maxEpochs) all
 * decide through this, so train and compare show or leave out the figure alike.
 */
export function figureUnlessChanged(figure: ReportedFigure | null, changed: readonly string[]): ReportedFigure | null {
  return changed.length === 0 ? figure : null;
}

// Fields beside "preset" that say which run it is, not how the model is built or trained.
const NOT_SETTINGS: ReadonlySet<string> = new Set(['preset', 'name', 'seed']);

/**
 * Checks one configuration and fills in every default. `context` starts the error message,
 * e.g. `compare.json: run 3 ("wide")`, so a bad field is named with where it sits.
 */
export function resolveExperiment(config: unknown, context = 'experiment'): ResolvedExperiment {
  if (typeof config === 'string') return fromPreset(findPresetIn(config, context), {}, context);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${context}: must be a preset name or an object with "preset" or "name" and "hidden"; got ${formatValue(config)}.`);
  }
  if ('preset' in config) {
    const parsed = parseOptions(presetSchema, config, context);
    return fromPreset(findPresetIn(parsed.preset, context), parsed, context);
  }
  const parsed = parseOptions(customSchema, config, context);
  const resolved: ResolvedExperiment = {
    name: parsed.name,
    preset: null,
    hidden: parsed.hidden.map((layer) => ({ ...layer })),
    activation: parsed.activation ?? 'relu',
    inputShape: [...(parsed.inputShape ?? [784])],
    optimizer: parsed.optimizer,
    learningRate: parsed.learningRate ?? null,
    weightDecay: parsed.weightDecay ?? null,
    schedule: parsed.schedule ?? null,
    warmupEpochs: parsed.warmupEpochs ?? null,
    augment: augmentOf(parsed.augment, null, context),
    loss: parseLoss(parsed.loss),
    epochs: parsed.epochs,
    batchSize: parsed.batchSize ?? 32,
    validation: parsed.validation ?? null,
    earlyStoppingPatience: parsed.earlyStoppingPatience ?? null,
    restoreBest: parsed.restoreBest ?? false,
    data: parsed.data ?? 'mnist',
    limit: parsed.limit ?? null,
    seed: parsed.seed ?? null,
    reported: null,
  };
  return checkConsistent(resolved, context);
}

function findPresetIn(presetName: string, context: string): Preset {
  const preset = presetNamed(presetName);
  if (!preset) {
    throw new Error(`${context}: unknown preset ${formatValue(presetName)}${didYouMean(presetName)}; allowed are ${PRESETS.map((candidate) => candidate.name).join(', ')}.`);
  }
  return preset;
}

/** A comparison file's "augment": absent keeps the preset's, null drops it, text is parsed as --augment's. */
function augmentOf(given: string | null | undefined, fromPreset: AugmentSpec | null, context: string): AugmentSpec | null {
  if (given === undefined) return fromPreset;
  return given === null ? null : parseAugmentSpec(given, `${context}: augment`);
}

function fromPreset(preset: Preset, given: Partial<z.output<typeof presetSchema>>, context: string): ResolvedExperiment {
  const schedule = given.schedule ?? preset.schedule ?? null;
  const resolved: ResolvedExperiment = {
    name: given.name ?? preset.name,
    preset: preset.name,
    hidden: preset.hidden.map((layer) => ({ ...layer })),
    activation: given.activation ?? 'relu',
    inputShape: [...preset.inputShape],
    optimizer: given.optimizer ?? preset.optimizer,
    learningRate: given.learningRate ?? preset.learningRate ?? null,
    weightDecay: given.weightDecay !== undefined ? given.weightDecay : (preset.weightDecay ?? null),
    schedule,
    // A preset's warm-up belongs to its cosine: "schedule": "constant" drops both, as train's --schedule does.
    warmupEpochs: given.warmupEpochs !== undefined ? given.warmupEpochs : schedule === 'cosine' ? (preset.warmupEpochs ?? null) : null,
    augment: augmentOf(given.augment, preset.augment ?? null, context),
    loss: given.loss !== undefined ? parseLoss(given.loss) : preset.loss,
    epochs: given.epochs ?? preset.epochs,
    batchSize: given.batchSize ?? preset.batchSize,
    validation: given.validation !== undefined ? given.validation : preset.validation,
    earlyStoppingPatience: given.earlyStoppingPatience !== undefined ? given.earlyStoppingPatience : preset.earlyStoppingPatience,
    restoreBest: given.restoreBest ?? false,
    data: given.data ?? preset.data,
    limit: given.limit ?? null,
    seed: given.seed ?? null,
    reported: figureUnlessChanged(
      reportedOf(preset),
      Object.entries(given).flatMap(([key, value]) => (value === undefined || NOT_SETTINGS.has(key) ? [] : [key])),
    ),
  };
  return checkConsistent(resolved, context);
}

/** Settings that are each fine alone but not together. */
function checkConsistent(experiment: ResolvedExperiment, context: string): ResolvedExperiment {
  if (experiment.data === 'combined' && experiment.validation === 'test') {
    throw new Error(`${context}: validation "test" needs a test set, which data "combined" (all 70,000 images) does not have; use a fraction such as 0.25.`);
  }
  if (experiment.data === 'combined' && experiment.validation === null) {
    throw new Error(`${context}: data "combined" has no test set, so it needs validation to be a fraction such as 0.25 to measure the model.`);
  }
  if (experiment.earlyStoppingPatience !== null && experiment.validation === null) {
    throw new Error(`${context}: earlyStoppingPatience ${experiment.earlyStoppingPatience} watches val_loss, which needs validation ("test" or a fraction).`);
  }
  if (experiment.warmupEpochs && experiment.schedule !== 'cosine') {
    throw new Error(`${context}: warmupEpochs ${experiment.warmupEpochs} warms up a cosine schedule; add "schedule": "cosine".`);
  }
  if (experiment.restoreBest && experiment.earlyStoppingPatience === null) {
    throw new Error(`${context}: restoreBest only applies with early stopping; set earlyStoppingPatience too.`);
  }
  return experiment;
}
