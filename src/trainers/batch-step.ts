import { STAT_LOSS_SUM, type Engine } from '../engine/engine.js';
import type { Dense } from '../layers/dense.js';
import type { Layer, Weight } from '../layers/layer.js';
import { takesLabels } from '../losses/losses.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { Random } from '../random/rng.js';
import type { Features, Targets } from './data-adapters/array-data-adapter.js';
import type { LossPlan } from './loss-plan.js';
import type { Workspace } from './workspace.js';

/**
 * The forward pass over one batch, as Keras's predict_step. The batch is the samples
 * indices[start .. start + rows); every buffer comes from the workspace, so it allocates nothing.
 */
export class ForwardPass {
  protected readonly last: number;
  /**
   * How many numbers a training step draws from the random stream: one 32-bit seed per layer
   * that draws a mask (dropout hashes its mask from that seed). Every random layer must take
   * exactly one per step, so that skipping epochs (fit's initialEpoch) can replay the stream.
   */
  readonly randomDrawsPerStep: number;

  constructor(
    protected readonly engine: Engine,
    protected readonly layers: readonly Layer[],
  ) {
    this.last = layers.length - 1;
    this.randomDrawsPerStep = layers.filter((layer) => layer.needsMask).length;
  }

  /** Forward without dropout; the last layer's output (probabilities for softmax) is left in the workspace. */
  predict(workspace: Workspace, features: Features, indices: Uint32Array, start: number, rows: number): void {
    this.forward(workspace, features, indices, start, rows, false, null, false);
  }

  /**
   * With `logits`, the last layer leaves its pre-softmax values for the fused cross-entropy.
   * Every layer that draws a dropout mask takes the next number of `random`, in layer order.
   */
  protected forward(
    workspace: Workspace,
    features: Features,
    indices: Uint32Array,
    start: number,
    rows: number,
    training: boolean,
    random: Random | null,
    logits: boolean,
  ): void {
    const { engine, layers, last } = this;
    const sparseLayer = workspace.sparseLayer;
    const batchRows = workspace.batchRows;
    if (sparseLayer >= 0 && !batchRows) {
      engine.gatherSparseRows(features.source, indices, start, rows, features.width, features.scale, workspace.sparseInput!);
    } else {
      engine.gatherRows(features.source, indices, start, rows, features.width, features.scale, workspace.input);
    }
    // Layers before sparseLayer only reshape, unless they augment (batchRows): with a sparse batch
    // they have nothing to do; after augmentation the sparse layer takes the augmented batch's nonzeros.
    for (let i = batchRows ? 0 : Math.max(sparseLayer, 0); i <= last; i++) {
      const layer = layers[i]!;
      if (i === sparseLayer) {
        if (batchRows) engine.gatherSparseRows(workspace.inputs[i]!, batchRows, 0, rows, layer.inputSize, 1, workspace.sparseInput!);
        (layer as Dense).forwardSparse(engine, workspace.sparseInput!, workspace.outputs[i]!, rows, logits && i === last);
        continue;
      }
      const seed = training && random && layer.needsMask ? random.nextUint32() : 0;
      layer.forward(engine, workspace.inputs[i]!, workspace.outputs[i]!, workspace.masks[i]!, rows, training, seed, logits && i === last);
    }
  }
}

/**
 * One training or test step over one batch — forward, loss, and for training backward and the
 * optimizer's update — as Keras's train_step and test_step.
 */
export class BatchStep extends ForwardPass {
  private readonly classes: number;
  /** Layers with a regularization penalty (part of the reported loss, as Keras) and with constraints. */
  private readonly penalized: readonly Layer[];
  private readonly constrained: readonly Layer[];

  constructor(
    engine: Engine,
    layers: readonly Layer[],
    private readonly plan: LossPlan,
  ) {
    super(engine, layers);
    this.classes = layers[this.last]!.outputSize;
    this.penalized = layers.filter((layer) => layer.hasPenalty);
    this.constrained = layers.filter((layer) => layer.hasConstraints);
  }

  /** Forward with dropout, the loss and its gradient, backward, then one optimizer update. */
  train(
    workspace: Workspace,
    features: Features,
    targets: Targets,
    sampleWeights: Float32Array | null,
    indices: Uint32Array,
    start: number,
    rows: number,
    random: Random,
    optimizer: Optimizer,
    weights: readonly Weight[],
  ): void {
    const { engine, layers, plan, last } = this;
    this.forward(workspace, features, indices, start, rows, true, random, plan.fusedSoftmax);
    this.gatherTargets(workspace, targets, indices, start, rows);
    const lossBefore = workspace.stats[STAT_LOSS_SUM]!;
    this.computeLoss(workspace, rows, workspace.gradients[last]!);
    if (sampleWeights) this.weighLoss(workspace, sampleWeights, indices, start, rows, lossBefore);
    for (let i = last; i >= 0; i--) {
      const gradient = workspace.gradients[i];
      if (!gradient) break;
      if (i === workspace.sparseLayer) {
        (layers[i] as Dense).backwardSparse(engine, workspace.sparseInput!, workspace.outputs[i]!, gradient, rows, plan.fusedSoftmax && i === last);
        continue;
      }
      layers[i]!.backward(
        engine,
        workspace.inputs[i]!,
        workspace.outputs[i]!,
        workspace.masks[i]!,
        gradient,
        workspace.inputGradients[i]!,
        rows,
        plan.fusedSoftmax && i === last,
      );
    }
    this.addPenalties(workspace, rows);
    optimizer.apply(engine, weights);
    for (const layer of this.constrained) layer.applyConstraints();
  }

  /** The penalties count once per batch: stats sum losses over rows, so each is added rows times. */
  private addPenalties(workspace: Workspace, rows: number): void {
    for (const layer of this.penalized) workspace.stats[STAT_LOSS_SUM] += layer.penalty() * rows;
  }

  /** Forward without dropout and the loss, added to workspace.stats. */
  test(workspace: Workspace, features: Features, targets: Targets, indices: Uint32Array, start: number, rows: number): void {
    this.forward(workspace, features, indices, start, rows, false, null, this.plan.fusedSoftmax);
    this.gatherTargets(workspace, targets, indices, start, rows);
    this.computeLoss(workspace, rows, null);
    this.addPenalties(workspace, rows);
  }

  /**
   * Keras's sample weights: each sample's loss and gradient times its weight, the loss still
   * averaged over the batch's samples. The engine's unweighted sum is replaced by the weighted one,
   * computed from the probabilities it left (cross-entropy) or the outputs (squared error).
   */
  private weighLoss(workspace: Workspace, sampleWeights: Float32Array, indices: Uint32Array, start: number, rows: number, lossBefore: number): void {
    const n = this.classes;
    const gradient = workspace.gradients[this.last]!;
    const labels = takesLabels(this.plan.loss) ? workspace.labels : null;
    const values = this.plan.fusedSoftmax ? workspace.probabilities : workspace.outputs[this.last]!;
    const targets = workspace.targets;
    let weighted = 0;
    for (let i = 0; i < rows; i++) {
      const weight = sampleWeights[indices[start + i]!]!;
      const row = i * n;
      let loss = 0;
      if (!this.plan.fusedSoftmax) {
        for (let j = 0; j < n; j++) loss += (values[row + j]! - targets[row + j]!) ** 2;
        loss /= n;
      } else if (labels) {
        loss = -Math.log(Math.max(values[row + labels[i]!]!, Number.MIN_VALUE));
      } else {
        for (let j = 0; j < n; j++) if (targets[row + j]! !== 0) loss -= targets[row + j]! * Math.log(Math.max(values[row + j]!, Number.MIN_VALUE));
      }
      weighted += weight * loss;
      for (let j = 0; j < n; j++) gradient[row + j]! *= weight;
    }
    workspace.stats[STAT_LOSS_SUM] = lossBefore + weighted;
  }

  private gatherTargets(workspace: Workspace, targets: Targets, indices: Uint32Array, start: number, rows: number): void {
    if (targets.labels) this.engine.gatherLabels(targets.labels, indices, start, rows, workspace.labels);
    else this.engine.gatherRows(targets.values!, indices, start, rows, targets.width, 1, workspace.targets);
  }

  private computeLoss(workspace: Workspace, rows: number, gradient: Float32Array | null): void {
    const output = workspace.outputs[this.last]!;
    const labels = takesLabels(this.plan.loss) ? workspace.labels : null;
    if (this.plan.fusedSoftmax) {
      this.engine.softmaxCrossEntropy(output, labels, labels ? null : workspace.targets, workspace.probabilities, gradient, rows, this.classes, rows, workspace.stats);
    } else {
      this.engine.meanSquaredError(output, workspace.targets, gradient, rows, this.classes, rows, workspace.stats);
    }
  }
}
