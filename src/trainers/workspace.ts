import { allocateSparseRows, type SparseRows } from '../engine/engine.js';
import type { Layer } from '../layers/layer.js';
import { sparseFromComputedInput } from './sparse-input.js';

/**
 * Every buffer one pass over a batch needs, allocated once per (model, batch size, mode), so the
 * training step only reads and writes these. Layers that only reshape share their input's buffer;
 * elementwise layers compute their input gradient where their output gradient was.
 */
export class Workspace {
  readonly input: Float32Array;
  /** inputs[i] is what layer i reads: the batch for the first layer, else outputs[i - 1]. */
  readonly inputs: Float32Array[] = [];
  readonly outputs: Float32Array[] = [];
  readonly masks: (Float32Array | null)[] = [];
  /** d(loss)/d(outputs[i]); null where no earlier layer has weights to train. */
  readonly gradients: (Float32Array | null)[] = [];
  /** Where layer i writes d(loss)/d(its input), or null when nothing before it needs it. */
  readonly inputGradients: (Float32Array | null)[] = [];
  readonly labels: Int32Array;
  readonly targets: Float32Array;
  readonly probabilities: Float32Array;
  /** Running loss sum and correct count (see engine STAT_* slots). */
  readonly stats = new Float64Array(2);
  /** The batch as its nonzeros, when layer `sparseLayer` reads it so (else null, and sparseLayer -1). */
  readonly sparseInput: SparseRows | null;
  /** 0..batchSize-1, when the sparse layer's nonzeros are taken from the augmented batch (else null). */
  readonly batchRows: Uint32Array | null;

  constructor(
    readonly layers: readonly Layer[],
    inputWidth: number,
    readonly batchSize: number,
    readonly training: boolean,
    readonly sparseLayer = -1,
  ) {
    this.sparseInput = sparseLayer >= 0 ? allocateSparseRows(batchSize, inputWidth) : null;
    const computed = sparseFromComputedInput(layers, sparseLayer);
    this.batchRows = computed ? Uint32Array.from({ length: batchSize }, (_, row) => row) : null;
    // Before a sparse layer that only reshapes follow, the dense batch is never filled.
    this.input = new Float32Array(sparseLayer >= 0 && !computed ? 0 : batchSize * inputWidth);
    let current = this.input;
    for (const layer of layers) {
      this.inputs.push(current);
      const shares = training ? layer.outputIsInput : layer.identityAtInference;
      const output = shares ? current : new Float32Array(batchSize * layer.outputSize);
      this.outputs.push(output);
      this.masks.push(training && layer.needsMask ? new Float32Array(batchSize * layer.outputSize) : null);
      current = output;
    }
    const classes = layers.length > 0 ? layers[layers.length - 1]!.outputSize : inputWidth;
    this.labels = new Int32Array(batchSize);
    this.targets = new Float32Array(batchSize * classes);
    this.probabilities = new Float32Array(batchSize * classes);
    if (training) this.allocateGradients();
  }

  private allocateGradients(): void {
    const count = this.layers.length;
    const hasWeightsUpTo: boolean[] = [];
    let seen = false;
    for (const layer of this.layers) {
      seen ||= layer.weights.length > 0;
      hasWeightsUpTo.push(seen);
    }
    const gradients: (Float32Array | null)[] = new Array<Float32Array | null>(count).fill(null);
    for (let i = count - 1; i >= 0; i--) {
      if (!hasWeightsUpTo[i]) break;
      const next = this.layers[i + 1];
      gradients[i] = next && next.gradientInPlace && gradients[i + 1] ? gradients[i + 1]! : new Float32Array(this.batchSize * this.layers[i]!.outputSize);
    }
    for (let i = 0; i < count; i++) {
      this.gradients.push(gradients[i]!);
      this.inputGradients.push(i > 0 && hasWeightsUpTo[i - 1] ? gradients[i - 1]! : null);
    }
  }
}
