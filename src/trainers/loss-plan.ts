import type { Layer } from '../layers/layer.js';
import type { Loss } from '../losses/loss-options.js';
import { isCrossentropy, type LossName } from '../losses/losses.js';

/** How one pass over a batch turns the last layer's output into a loss. */
export interface LossPlan {
  loss: LossName;
  /**
   * Softmax is computed inside the cross-entropy (stable, and its gradient is simply p - y): the
   * last layer leaves its logits, or, with fromLogits, outputs them itself.
   */
  fusedSoftmax: boolean;
  /** Applied to one-hot targets once, when the data is resolved. */
  labelSmoothing: number;
}

/** The plan for this loss and these metrics on these layers, or one sentence on why they do not fit. */
export function lossPlanFor(layers: readonly Layer[], lossSettings: Loss, metrics: readonly { name: string; comparesClasses: boolean }[]): LossPlan {
  const loss = lossSettings.name;
  const last = layers[layers.length - 1]!;
  const comparing = metrics.find((metric) => metric.comparesClasses);
  if (comparing && last.outputSize < 2) {
    throw new Error(`The ${comparing.name} metric compares the most probable of several classes, but the model has ${last.outputSize} output: give the last layer one unit per class, or compile without it.`);
  }
  if (isCrossentropy(loss)) {
    if (lossSettings.fromLogits) {
      if (last.finalActivation !== 'linear') {
        throw new Error(`${loss} with fromLogits takes logits: end the model with activation 'linear' (its last layer "${last.name}" ends with '${last.finalActivation}').`);
      }
      return { loss, fusedSoftmax: true, labelSmoothing: lossSettings.labelSmoothing };
    }
    if (last.finalActivation !== 'softmax') {
      throw new Error(`${loss} needs class probabilities: end the model with activation 'softmax' (its last layer "${last.name}" ends with '${last.finalActivation}'), or give the loss fromLogits for a 'linear' end.`);
    }
    return { loss, fusedSoftmax: true, labelSmoothing: lossSettings.labelSmoothing };
  }
  return { loss, fusedSoftmax: false, labelSmoothing: 0 };
}
