import { describeCall, inspectCustom } from '../describe.js';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../random/rng.js';

/** A trainable tensor of a layer, with the gradient buffer training writes into. */
export interface Weight {
  /** Keras's path, e.g. "dense_1/kernel". */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  readonly gradient: Float32Array;
}

/** A layer's serialized form, as Keras writes it: the class and the constructor's config. */
export interface LayerConfig {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/**
 * Base of every layer. A layer says what it means (its config, its weights, its output shape) and
 * runs its computation through the engine on buffers the model allocated once per batch size.
 * Buffers hold `rows` samples of the flattened feature shape.
 */
export abstract class Layer {
  abstract readonly className: string;
  name: string;
  /** The input shape the user declared (without the batch dimension), if any. */
  readonly declaredInputShape: readonly number[] | undefined;
  private builtShapes: { input: readonly number[]; output: readonly number[]; inputSize: number; outputSize: number } | undefined;

  constructor(name: string | undefined, inputShape: readonly number[] | undefined) {
    this.name = name ?? '';
    this.declaredInputShape = inputShape;
  }

  get built(): boolean {
    return this.builtShapes !== undefined;
  }

  get inputShape(): readonly number[] {
    return this.shapes().input;
  }

  get outputShape(): readonly number[] {
    return this.shapes().output;
  }

  /** Values per sample going in; kept from build so the training step computes nothing here. */
  get inputSize(): number {
    return this.shapes().inputSize;
  }

  get outputSize(): number {
    return this.shapes().outputSize;
  }

  /** Creates the weights for this input shape and returns the output shape. */
  build(inputShape: readonly number[], random: Random): readonly number[] {
    const output = this.computeOutputShape(inputShape, random);
    this.builtShapes = { input: inputShape, output, inputSize: sizeOf(inputShape), outputSize: sizeOf(output) };
    return output;
  }

  /** Checks the input shape, creates any weights, and returns the output shape. */
  protected abstract computeOutputShape(inputShape: readonly number[], random: Random): readonly number[];

  /** Trainable weights in Keras's order (kernel, then bias). */
  get weights(): readonly Weight[] {
    return [];
  }

  countParams(): number {
    return this.weights.reduce((total, weight) => total + weight.values.length, 0);
  }

  /** True when the output is the input itself (a reshape): the model then shares the buffer. */
  get outputIsInput(): boolean {
    return false;
  }

  /** True when inference passes the input through unchanged (Dropout), so the buffer is shared. */
  get identityAtInference(): boolean {
    return this.outputIsInput;
  }

  /**
   * True when the gradient with respect to the input may be computed in the buffer holding the
   * gradient with respect to the output (elementwise layers), saving a buffer and a copy.
   */
  get gradientInPlace(): boolean {
    return this.outputIsInput;
  }

  /** The activation this layer ends with, so the model can fuse softmax into the loss. */
  get finalActivation(): string {
    return 'linear';
  }

  /**
   * output ← layer(input). `logits` asks a layer ending in softmax to stop before it (the loss
   * applies the softmax itself); `seed` draws this step's dropout mask.
   */
  abstract forward(
    engine: Engine,
    input: Float32Array,
    output: Float32Array,
    mask: Float32Array | null,
    rows: number,
    training: boolean,
    seed: number,
    logits: boolean,
  ): void;

  /**
   * Given d(loss)/d(output) in `gradOutput` (which it may overwrite), fills the weights' gradients
   * and, when `gradInput` is not null, d(loss)/d(input).
   */
  abstract backward(
    engine: Engine,
    input: Float32Array,
    output: Float32Array,
    mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
    logits: boolean,
  ): void;

  /** Whether the layer needs a dropout mask buffer in training. */
  get needsMask(): boolean {
    return false;
  }

  /** The constructor options that rebuild this layer (Keras's get_config). */
  abstract getConfig(): Record<string, unknown>;

  serialize(): LayerConfig {
    return { className: this.className, config: this.getConfig() };
  }

  /** Its class and config, e.g. `Dense(name="dense", units=512, activation="relu", …)`; a built layer adds its shapes. */
  toString(): string {
    const { name, ...settings } = this.getConfig();
    // A layer gets its name when added to a model.
    const call = describeCall(this.className, name ? { name, ...settings } : settings);
    return this.built ? `${call} [${this.inputShape.join(', ')}] → [${this.outputShape.join(', ')}]` : call;
  }

  /** Node's util.inspect (console.log, a notebook cell) shows the same. */
  [inspectCustom](): string {
    return this.toString();
  }

  private shapes(): NonNullable<Layer['builtShapes']> {
    if (!this.builtShapes) {
      throw new Error(`Layer "${this.name}" has not been built yet: give the first layer an inputShape, or call fit first.`);
    }
    return this.builtShapes;
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dimension) => product * dimension, 1);
}

/** Base config every layer shares. */
export function baseConfig(layer: Layer): Record<string, unknown> {
  const config: Record<string, unknown> = { name: layer.name };
  if (layer.declaredInputShape) config.inputShape = [...layer.declaredInputShape];
  return config;
}
