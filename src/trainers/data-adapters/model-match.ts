import { takesLabels, type LossName } from '../../losses/losses.js';
import type { TrainableModel } from '../trainable-model.js';
import { checkLabels, type Features, type Targets } from './array-data-adapter.js';

/** Refuses samples whose shape is not the model's input shape, with the reshape that would fit. */
export function matchFeatures(model: TrainableModel, features: Features, name: string): void {
  const expected = model.inputShape;
  const given = features.sampleShape;
  if (expected.length === given.length && expected.every((dimension, index) => dimension === given[index])) return;
  const hint =
    features.width === model.layers[0]!.inputSize
      ? expected.length === 1
        ? ': flatten the samples (flattenSamples(x)) or start the model with flatten({ inputShape: ' + `[${given.join(', ')}] })`
        : `: reshape them with tensor(x.data, [${features.count}, ${expected.join(', ')}])`
      : '';
  throw new Error(`${name} has samples of shape [${given.join(', ')}] but the model takes [${expected.join(', ')}]${hint}.`);
}

/** Refuses targets the loss cannot read: labels for a one-hot loss or the reverse, wrong widths, unknown classes. */
export function matchTargets(model: TrainableModel, loss: LossName, targets: Targets, name: string): Targets {
  const classes = model.layers[model.layers.length - 1]!.outputSize;
  if (takesLabels(loss)) {
    if (!targets.labels) {
      throw new Error(`${loss} takes class labels of shape [n] but ${name} has rows of ${targets.width} targets: pass the labels, or use categoricalCrossentropy.`);
    }
    checkLabels(targets.labels, classes, name);
    return targets;
  }
  if (!targets.values) {
    throw new Error(`${loss} takes one-hot targets of shape [n, ${classes}] but ${name} holds class labels: use toCategorical(${name}) or sparseCategoricalCrossentropy.`);
  }
  if (targets.width !== classes) {
    throw new Error(`${name} has ${targets.width} targets per sample but the model outputs ${classes}.`);
  }
  return targets;
}
