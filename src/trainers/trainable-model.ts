import type { CallbackModel } from '../callbacks/callback.js';
import type { Engine } from '../engine/engine.js';
import type { Layer, Weight } from '../layers/layer.js';
import type { LossName } from '../losses/losses.js';
import type { Metric } from '../metrics/metric.js';
import type { Optimizer } from '../optimizers/optimizer.js';

/**
 * What the trainer needs from a model: its layers and weights, how it was compiled, and the
 * engine it computes with. Sequential implements it; the trainer never imports a model class,
 * so models depend on trainers and not the reverse (as Keras's Model extends Trainer).
 */
export interface TrainableModel extends CallbackModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  /** Trainable weights in Keras's order, the order the optimizer's state follows. */
  readonly weights: readonly Weight[];
  readonly engine: Engine;
  readonly built: boolean;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly optimizer: Optimizer | undefined;
  /** The loss's canonical name, which training computes with (model.loss is the spelling the user gave). */
  readonly lossName: LossName | undefined;
  readonly metrics: readonly Metric[];
  build(inputShape: readonly number[]): void;
}
