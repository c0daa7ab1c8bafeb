import type { Layer } from '../layers/layer.js';
import { isCrossentropy, type LossName } from '../losses/losses.js';

/** How one pass over a batch turns the last layer's output into a loss. */
export interface LossPlan {
  loss: LossName;
  /** Softmax is computed inside the cross-entropy (stable, and its gradient is simply p - y). */
  fusedSoftmax: boolean;
}

/** The plan for this loss and these metrics on these layers, or one sentence on why they do not fit. */
export function lossPlanFor(layers: readonly Layer[], loss: LossName, metrics: readonly { name: string; comparesClasses: boolean }[]): LossPlan {
  const last = layers[layers.length - 1]!;
  const comparing = metrics.find((metric) => metric.comparesClasses);
  if (comparing && last.outputSize < 2) {
    throw new Error(`The ${comparing.name} metric compares the most probable of several classes, but the model has ${last.outputSize} output: give the last layer one unit per class, or compile without it.`);
  }
  if (isCrossentropy(loss)) {
    if (last.finalActivation !== 'softmax') {
      throw new Error(`${loss} needs class probabilities: end the model with activation 'softmax' (its last layer "${last.name}" ends with '${last.finalActivation}').`);
    }
    return { loss, fusedSoftmax: true };
  }
  return { loss, fusedSoftmax: false };
}
