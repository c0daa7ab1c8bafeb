/** A studio model spec turned into the library's Sequential, compiled as the spec says. */
import { dense, dropout, flatten, type Layer } from '../layers/index.js';
import { sequential, type Sequential } from '../models/sequential.js';
import type { SummaryRow } from '../models/summary.js';
import { adam, rmsprop, sgd, type Optimizer } from '../optimizers/index.js';
import type { HiddenLayer, Preset } from '../models/presets.js';
import type { ModelSpec, StartRunRequest, TrainingSpec } from './schemas.js';
import { takesLabels, type LossName } from '../losses/losses.js';
import { toCategorical } from '../data/transforms.js';
import type { Tensor } from '../data/tensor.js';

export function buildModel(spec: ModelSpec, seed?: number): Sequential {
  const layers: Layer[] = [];
  const flat = spec.inputShape.length === 1;
  if (!flat) layers.push(flatten({ inputShape: spec.inputShape }));
  let declared = !flat;
  for (const layer of spec.layers) {
    const inputShape = declared ? {} : { inputShape: spec.inputShape };
    if (layer.type === 'dense') {
      layers.push(dense({ units: layer.units, activation: layer.activation, ...inputShape }));
      declared = true;
    } else {
      // A Dropout first has nothing to declare the input shape on, so the model is built below.
      layers.push(dropout({ rate: layer.rate }));
    }
  }
  layers.push(dense({ units: 10, activation: 'softmax', ...(declared ? {} : { inputShape: spec.inputShape }) }));
  const model = sequential(layers, { seed });
  if (!model.built) model.build(spec.inputShape);
  return model;
}

export function optimizerFor(training: TrainingSpec): Optimizer {
  const options = training.learningRate === null ? {} : { learningRate: training.learningRate };
  switch (training.optimizer) {
    case 'adam':
      return adam(options);
    case 'rmsprop':
      return rmsprop(options);
    case 'sgd':
      return sgd(options);
  }
}

export function compileModel(model: Sequential, training: TrainingSpec): void {
  model.compile({ optimizer: optimizerFor(training), loss: training.loss, metrics: ['accuracy'] });
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  text: string;
}

export function summarize(spec: ModelSpec): ModelSummary {
  const model = buildModel(spec, 0);
  return { rows: model.summaryRows(), totalParams: model.countParams(), text: model.summaryText() };
}

function hiddenToLayers(hidden: readonly HiddenLayer[]): ModelSpec['layers'] {
  return hidden.flatMap((layer): ModelSpec['layers'] => [
    { type: 'dense', units: layer.units, activation: 'relu' },
    ...(layer.dropout ? [{ type: 'dropout' as const, rate: layer.dropout }] : []),
  ]);
}

/** A seed-notebook preset as the studio's start request. Combined-data presets train on MNIST's 60,000 with the same split. */
export function presetRequest(preset: Preset): StartRunRequest {
  return {
    name: preset.name,
    model: { inputShape: preset.inputShape.length === 2 ? [28, 28] : [784], layers: hiddenToLayers(preset.hidden) },
    training: {
      optimizer: preset.optimizer,
      learningRate: null,
      loss: preset.loss,
      epochs: preset.epochs,
      batchSize: preset.batchSize,
      validation: preset.validation === null ? 'none' : preset.validation,
      earlyStoppingPatience: preset.earlyStoppingPatience,
      restoreBest: false,
      limit: null,
      seed: null,
    },
  };
}

/** Labels for the sparse loss, one-hot rows for the others, as fit and evaluate expect them. */
export function targetsFor(loss: LossName, labels: Uint8Array): Uint8Array | Tensor {
  return takesLabels(loss) ? labels : toCategorical(labels, 10);
}
