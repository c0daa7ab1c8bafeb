import { augmentationLayers, type AugmentSpec } from './augmentation.js';
import { activation, batchNormalization, dense, dropout, flatten, type Layer } from '../layers/index.js';
import type { LossName } from '../losses/losses.js';
import { configuredOptimizer, type ScheduleChoice } from '../optimizers/configured.js';
import type { OptimizerName } from '../optimizers/index.js';
import { sequential, type Sequential } from './sequential.js';

/** A hidden layer of a preset: relu units, optionally followed by dropout. */
export interface HiddenLayer {
  units: number;
  dropout?: number;
  /**
   * Dense without bias, then BatchNormalization, then the activation: Keras's usual order, in
   * which the normalization's beta takes the bias's place.
   */
  batchNormalization?: boolean;
}

/**
 * Each model of the seed notebooks, with the settings its notebook trained it with, and the
 * recipe's models (docs/recipe.md), which go past the notebooks with Keras's training toolbox.
 */
export interface Preset {
  name: string;
  /** The seed notebook it comes from, or 'recipe'. */
  notebook: string;
  description: string;
  hidden: readonly HiddenLayer[];
  /** [28, 28] when the notebook starts with Flatten; [784] when it flattened the data itself. */
  inputShape: readonly number[];
  optimizer: OptimizerName;
  /** Set by the recipe presets; absent, the optimizer keeps its Keras default rate and decay, constant. */
  learningRate?: number;
  weightDecay?: number;
  schedule?: ScheduleChoice;
  /** Epochs of linear warm-up before the cosine (recipe presets). */
  warmupEpochs?: number;
  /** Augmentation in front of the model, active in training only (recipe presets). */
  augment?: AugmentSpec;
  loss: LossName;
  epochs: number;
  batchSize: number;
  /** 'test' validates on the test set each epoch; a number is Keras's validationSplit. */
  validation: 'test' | number | null;
  earlyStoppingPatience: number | null;
  /** 'combined' trains on all 70,000 images in OpenML order, as notebook 000 did. */
  data: 'mnist' | 'combined';
  /** The notebook's reported figure: test accuracy, or validation accuracy for notebook 000. */
  reported: { metric: 'test accuracy' | 'validation accuracy'; accuracy: number; loss?: number } | null;
}

const notebook000 = (name: string, hidden: number[], split: number, accuracy: number): Preset => ({
  name,
  notebook: '000',
  description: `${hidden.join('-')} relu, adam, trained on ${Math.round((1 - split) * 100)}% of all 70,000 images`,
  hidden: hidden.map((units) => ({ units })),
  inputShape: [784],
  optimizer: 'adam',
  loss: 'categoricalCrossentropy',
  epochs: 30,
  batchSize: 32,
  validation: split,
  earlyStoppingPatience: 3,
  data: 'combined',
  reported: { metric: 'validation accuracy', accuracy },
});

/** Notebook 002's models trained for up to 200 epochs with EarlyStopping(patience=3), validated on the test set. */
const notebook002WithEarlyStopping = (name: string, layers: string, hidden: HiddenLayer[], reported: Preset['reported']): Preset => ({
  name,
  notebook: '002',
  description: `${layers}, adam, early stopping`,
  hidden,
  inputShape: [784],
  optimizer: 'adam',
  loss: 'categoricalCrossentropy',
  epochs: 200,
  batchSize: 128,
  validation: 'test',
  earlyStoppingPatience: 3,
  data: 'mnist',
  reported,
});

// Notebook 003 first fits with validation_split=0.15 to choose the epochs from the curves, then
// refits a new model on all 60,000 training images (`model.fit(x_train, y_train, epochs=N,
// batch_size=64)`) and evaluates that one: its test figures come from the refit, which the preset
// reproduces (`--validation-split 0.15` gives the curves of the first fit).
const notebook003 = (name: string, hidden: HiddenLayer[], epochs: number, accuracy: number): Preset => ({
  name,
  notebook: '003',
  description: `baseline ${hidden.map((layer) => layer.units + (layer.dropout ? `-d${layer.dropout}` : '')).join('-')}, rmsprop, batch 64, ${epochs} epochs on all 60,000`,
  hidden,
  inputShape: [784],
  optimizer: 'rmsprop',
  loss: 'categoricalCrossentropy',
  epochs,
  batchSize: 64,
  validation: null,
  earlyStoppingPatience: null,
  data: 'mnist',
  reported: { metric: 'test accuracy', accuracy },
});

/**
 * The recipe's presets (docs/recipe.md): AdamW whose rate follows a cosine to 0 over the run,
 * trained on all 60,000 training images and measured once on the test set. Their settings were
 * chosen on a validation split (`--validation-split 0.1`), never on the test set.
 */
const recipe = (
  name: string,
  description: string,
  hidden: HiddenLayer[],
  training: { epochs: number; learningRate: number; weightDecay: number; warmupEpochs: number; augment?: AugmentSpec },
): Preset => ({
  name,
  notebook: 'recipe',
  description,
  hidden,
  inputShape: [28, 28],
  optimizer: 'adamw',
  learningRate: training.learningRate,
  weightDecay: training.weightDecay,
  schedule: 'cosine',
  warmupEpochs: training.warmupEpochs,
  ...(training.augment ? { augment: training.augment } : {}),
  loss: 'sparseCategoricalCrossentropy',
  epochs: training.epochs,
  batchSize: 128,
  validation: null,
  earlyStoppingPatience: null,
  data: 'mnist',
  reported: null,
});

export const PRESETS: readonly Preset[] = [
  notebook000('mlp-50-50-train20', [50, 50], 0.8, 0.91),
  notebook000('mlp-50-50', [50, 50], 0.25, 0.95),
  notebook000('mlp-75x4-train20', [75, 75, 75, 75], 0.8, 0.92),
  notebook000('mlp-75x4', [75, 75, 75, 75], 0.25, 0.97),
  {
    name: 'mlp-256-dropout-128',
    notebook: '001',
    description: 'Flatten 28×28, 256 relu, dropout 0.2, 128 relu, adam, 10 epochs (the default)',
    hidden: [{ units: 256, dropout: 0.2 }, { units: 128 }],
    inputShape: [28, 28],
    optimizer: 'adam',
    loss: 'sparseCategoricalCrossentropy',
    epochs: 10,
    batchSize: 128,
    validation: 'test',
    earlyStoppingPatience: null,
    data: 'mnist',
    reported: { metric: 'test accuracy', accuracy: 0.9804, loss: 0.0705 },
  },
  {
    name: 'mlp-50-25-rmsprop',
    notebook: '002',
    description: '50-25 relu, rmsprop, 5 epochs',
    hidden: [{ units: 50 }, { units: 25 }],
    inputShape: [784],
    optimizer: 'rmsprop',
    loss: 'categoricalCrossentropy',
    epochs: 5,
    batchSize: 128,
    validation: 'test',
    earlyStoppingPatience: null,
    data: 'mnist',
    reported: { metric: 'test accuracy', accuracy: 0.9655, loss: 0.116 },
  },
  notebook002WithEarlyStopping('mlp-512-512-dropout', '512 relu, dropout 0.2, 512 relu, dropout 0.2', [{ units: 512, dropout: 0.2 }, { units: 512, dropout: 0.2 }], {
    metric: 'test accuracy',
    accuracy: 0.9805,
    loss: 0.073,
  }),
  // The notebook refit model2 by mistake, so it has no figure for this model.
  notebook002WithEarlyStopping('mlp-128-64-dropout', '128 relu, dropout 0.15, 64 relu, dropout 0.15', [{ units: 128, dropout: 0.15 }, { units: 64, dropout: 0.15 }], null),
  notebook003('baseline-32', [{ units: 32 }], 6, 0.9608),
  notebook003('baseline-32-16', [{ units: 32 }, { units: 16 }], 6, 0.9604),
  notebook003('baseline-512', [{ units: 512 }], 3, 0.9767),
  notebook003('baseline-256', [{ units: 256 }], 3, 0.9729),
  notebook003('baseline-512-256', [{ units: 512 }, { units: 256 }], 3, 0.9788),
  notebook003('baseline-512-256-dropout', [{ units: 512, dropout: 0.5 }, { units: 256, dropout: 0.5 }], 20, 0.9808),
  {
    name: 'mlp-512-rmsprop',
    notebook: '004',
    description: '512 relu, rmsprop, 5 epochs',
    hidden: [{ units: 512 }],
    inputShape: [784],
    optimizer: 'rmsprop',
    loss: 'sparseCategoricalCrossentropy',
    epochs: 5,
    batchSize: 128,
    validation: null,
    earlyStoppingPatience: null,
    data: 'mnist',
    reported: { metric: 'test accuracy', accuracy: 0.978 },
  },
  recipe('mlp-800-800', '800 relu, dropout 0.5, 800 relu, dropout 0.5, adamw 1e-3, 1 epoch warm-up then cosine, 20 epochs on all 60,000', [{ units: 800, dropout: 0.5 }, { units: 800, dropout: 0.5 }], {
    epochs: 20,
    learningRate: 0.001,
    weightDecay: 0.0001,
    warmupEpochs: 1,
  }),
  recipe(
    'mlp-augmented',
    '800 batch-normalized relu, dropout 0.2, twice; random rotation ±10° and elastic distortion (α 34, σ 4); adamw 2e-3, 1 epoch warm-up then cosine, 60 epochs on all 60,000',
    [{ units: 800, batchNormalization: true, dropout: 0.2 }, { units: 800, batchNormalization: true, dropout: 0.2 }],
    { epochs: 60, learningRate: 0.002, weightDecay: 0.0001, warmupEpochs: 1, augment: { rotationDegrees: 10, elastic: { alpha: 34, sigma: 4 } } },
  ),
];

/** The seed notebooks' presets, without the recipe's: what `digitnet compare` and the studio offer. */
export const NOTEBOOK_PRESETS: readonly Preset[] = PRESETS.filter((preset) => preset.notebook !== 'recipe');

export const DEFAULT_PRESET = 'mlp-256-dropout-128';

export function findPreset(name: string): Preset {
  const preset = presetNamed(name);
  if (!preset) throw new Error(`Unknown preset "${name}"${didYouMean(name)}: allowed are ${PRESETS.map((candidate) => candidate.name).join(', ')}.`);
  return preset;
}

/** The preset of that name; names are lowercase, so "MLP-50-50" means mlp-50-50. */
export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((candidate) => candidate.name === name.toLowerCase());
}

/** " (did you mean NAME?)" when a preset name is within a few typos of `name`, else nothing. */
export function didYouMean(name: string): string {
  const closest = closestPresetName(name);
  return closest ? ` (did you mean ${closest}?)` : '';
}

/** The preset name within a few typos of `name` (a missing, extra or swapped letter), if one is. */
function closestPresetName(name: string): string | undefined {
  const typed = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of PRESETS) {
    const distance = editDistance(typed, candidate.name);
    if (!best || distance < best.distance) best = { name: candidate.name, distance };
  }
  // Beyond about a third of the name, the "closest" is just another name.
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
}

// Levenshtein distance, one row at a time.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The layers of an MLP: Flatten when the input is an image, hidden relu layers with their dropout, a softmax output. */
export function buildMlp(
  hidden: readonly HiddenLayer[],
  options: { inputShape?: readonly number[]; activation?: 'relu' | 'sigmoid' | 'tanh'; classes?: number; seed?: number; augment?: AugmentSpec | null } = {},
): Sequential {
  const inputShape = options.inputShape ?? [784];
  const layers: Layer[] = [];
  if (options.augment) {
    if (inputShape.length !== 2) {
      throw new Error(`Augmentation warps images, but the model's samples have shape [${inputShape.join(', ')}]: give the model [height, width] images (a preset with inputShape [28, 28]).`);
    }
    layers.push(...augmentationLayers(options.augment, inputShape), flatten());
  } else if (inputShape.length > 1) {
    layers.push(flatten({ inputShape }));
  }
  hidden.forEach((layer, index) => {
    const first = index === 0 && inputShape.length === 1 ? { inputShape } : {};
    const hiddenActivation = options.activation ?? 'relu';
    if (layer.batchNormalization) layers.push(dense({ units: layer.units, useBias: false, ...first }), batchNormalization(), activation(hiddenActivation));
    else layers.push(dense({ units: layer.units, activation: hiddenActivation, ...first }));
    if (layer.dropout) layers.push(dropout({ rate: layer.dropout }));
  });
  layers.push(dense({ units: options.classes ?? 10, activation: 'softmax', ...(hidden.length === 0 && inputShape.length === 1 ? { inputShape } : {}) }));
  return sequential(layers, { seed: options.seed });
}

/**
 * The preset's model, compiled as its notebook (or the recipe) compiled it. A cosine schedule
 * spans the preset's epochs over `trainCount` images (60,000: MNIST's training set).
 */
export function buildPresetModel(preset: Preset, seed?: number, trainCount = 60000): Sequential {
  const model = buildMlp(preset.hidden, { inputShape: preset.inputShape, seed, augment: preset.augment ?? null });
  const optimizer = configuredOptimizer(
    { optimizer: preset.optimizer, learningRate: preset.learningRate ?? null, weightDecay: preset.weightDecay, schedule: preset.schedule, warmupEpochs: preset.warmupEpochs },
    { epochs: preset.epochs, stepsPerEpoch: Math.ceil(trainCount / preset.batchSize) },
  );
  model.compile({ optimizer, loss: preset.loss, metrics: ['accuracy'] });
  return model;
}
