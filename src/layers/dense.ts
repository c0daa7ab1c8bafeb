import { z } from 'zod';
import type { Engine, MatrixPrecision, QuantizedKernel, SparseRows } from '../engine/engine.js';
import { globalPolicy, matrixPrecisionOf, parseDTypePolicy, type DTypePolicyName } from '../precision/policy.js';
import { initialize, parseInitializer, type InitializerIdentifier, type InitializerName } from '../initializers/initializers.js';
import type { Random } from '../random/rng.js';
import type { KerasSpelled } from '../naming.js';
import { parseOptions, positionalOptions, positiveInteger, shape } from '../validation.js';
import { parseActivation, type ActivationName } from './activations.js';
import { baseConfig, Layer, type Weight } from './layer.js';

export interface DenseOptions {
  units: number;
  activation?: ActivationName;
  inputShape?: readonly number[];
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  name?: string;
  /** Keras's dtype policy: 'float32' or 'mixed_bfloat16'; by default the global policy when created. */
  dtype?: DTypePolicyName;
}

const denseSchema = z.strictObject({
  units: positiveInteger,
  activation: z.string().nullable().optional(),
  inputShape: shape.optional(),
  useBias: z.boolean().optional(),
  kernelInitializer: z.string().optional(),
  biasInitializer: z.string().optional(),
  name: z.string().optional(),
  dtype: z.string().optional(),
});

/** A fully connected layer: activation(input · kernel + bias), kernel [inputs × units]. */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly dtypePolicy: DTypePolicyName;
  /** The precision of this layer's matrix products (bf16 inputs under mixed_bfloat16). */
  readonly matrixPrecision: MatrixPrecision;
  /** An int8 copy of the kernel for inference (src/precision/inference.ts), or null. */
  int8Kernel: QuantizedKernel | null = null;
  /** Set while a prediction runs in int8: forward multiplies on int8Kernel. */
  int8Active = false;
  private kernel: Weight | undefined;
  private bias: Weight | undefined;

  /** `new Dense(512, { activation: 'relu' })` as Keras's `Dense(512, activation='relu')`, or one options object. */
  constructor(units: number, options?: KerasSpelled<Omit<DenseOptions, 'units'>>);
  constructor(options: KerasSpelled<DenseOptions>);
  constructor(unitsOrOptions: number | KerasSpelled<DenseOptions>, options?: KerasSpelled<Omit<DenseOptions, 'units'>>) {
    const parsed = parseOptions(denseSchema, positionalOptions(unitsOrOptions, options, 'units', 'dense()'), 'dense()');
    super(parsed.name, parsed.inputShape);
    this.units = parsed.units;
    this.activation = parseActivation(parsed.activation);
    this.useBias = parsed.useBias ?? true;
    this.kernelInitializer = parseInitializer(parsed.kernelInitializer ?? 'glorotUniform', 'kernelInitializer');
    this.biasInitializer = parseInitializer(parsed.biasInitializer ?? 'zeros', 'biasInitializer');
    this.dtypePolicy = parsed.dtype === undefined ? globalPolicy() : parseDTypePolicy(parsed.dtype, `Dense layer "${parsed.name ?? 'dense'}" dtype`);
    this.matrixPrecision = matrixPrecisionOf(this.dtypePolicy);
  }

  /** Makes (or remakes) the int8 copy of the kernel from its current float32 values. */
  quantizeKernel(engine: Engine): void {
    this.int8Kernel = engine.quantizeKernel(this.kernel!.values, this.inputSize, this.units);
  }

  protected computeOutputShape(inputShape: readonly number[], random: Random): readonly number[] {
    if (inputShape.length !== 1) {
      throw new Error(
        `Dense layer "${this.name}" needs a flat input but receives shape [${inputShape.join(', ')}]: put flatten() before it.`,
      );
    }
    const inputs = inputShape[0]!;
    const kernelValues = new Float32Array(inputs * this.units);
    initialize(this.kernelInitializer, kernelValues, inputs, this.units, random);
    this.kernel = { name: `${this.name}/kernel`, shape: [inputs, this.units], values: kernelValues, gradient: new Float32Array(kernelValues.length) };
    if (this.useBias) {
      const biasValues = new Float32Array(this.units);
      // As Keras, a vector's fans are both its length (this matters only for glorot and he biases).
      initialize(this.biasInitializer, biasValues, this.units, this.units, random);
      this.bias = { name: `${this.name}/bias`, shape: [this.units], values: biasValues, gradient: new Float32Array(this.units) };
    }
    return [this.units];
  }

  override get weights(): readonly Weight[] {
    if (!this.kernel) return [];
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  override get finalActivation(): string {
    return this.activation;
  }

  forward(engine: Engine, input: Float32Array, output: Float32Array, _mask: Float32Array | null, rows: number, training: boolean, _seed: number, logits: boolean): void {
    if (this.int8Active && !training && this.int8Kernel) {
      engine.int8DenseForward(input, this.int8Kernel, this.bias ? this.bias.values : null, output, rows, logits ? 'linear' : this.activation);
      return;
    }
    engine.denseForward(
      input,
      this.kernel!.values,
      this.bias ? this.bias.values : null,
      output,
      rows,
      this.inputSize,
      this.units,
      logits ? 'linear' : this.activation,
      this.matrixPrecision,
    );
  }

  backward(
    engine: Engine,
    input: Float32Array,
    output: Float32Array,
    _mask: Float32Array | null,
    gradOutput: Float32Array,
    gradInput: Float32Array | null,
    rows: number,
    logits: boolean,
  ): void {
    const inputs = this.kernel!.shape[0]!;
    // Training changes the float32 kernel, so an int8 copy made before would be stale.
    this.int8Kernel = null;
    if (!logits) engine.activationBackward(this.activation, output, gradOutput, rows * this.units, this.units);
    engine.weightGradient(input, gradOutput, this.kernel!.gradient, this.bias ? this.bias.gradient : null, rows, inputs, this.units, this.matrixPrecision);
    if (gradInput) engine.inputGradient(gradOutput, this.kernel!.values, gradInput, rows, inputs, this.units, this.matrixPrecision);
  }

  /** forward for a batch given as its nonzeros (a first layer on mostly-zero images): the same output. */
  forwardSparse(engine: Engine, input: SparseRows, output: Float32Array, rows: number, logits: boolean): void {
    engine.sparseDenseForward(input, this.kernel!.values, this.bias ? this.bias.values : null, output, rows, this.inputSize, this.units, logits ? 'linear' : this.activation, this.matrixPrecision);
  }

  /** backward for a batch given as its nonzeros; no input gradient (nothing before it trains). */
  backwardSparse(engine: Engine, input: SparseRows, output: Float32Array, gradOutput: Float32Array, rows: number, logits: boolean): void {
    this.int8Kernel = null;
    if (!logits) engine.activationBackward(this.activation, output, gradOutput, rows * this.units, this.units);
    engine.sparseWeightGradient(input, gradOutput, this.kernel!.gradient, this.bias ? this.bias.gradient : null, rows, this.inputSize, this.units, this.matrixPrecision);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...baseConfig(this),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      // Only when not the default, so float32 configs stay as they were.
      ...(this.dtypePolicy === 'float32' ? {} : { dtype: this.dtypePolicy }),
    };
  }
}

/** `dense(512, { activation: 'relu' })` as Keras's `Dense(512, activation='relu')`, or `dense({ units: 512, activation: 'relu' })`. */
export function dense(units: number, options?: KerasSpelled<Omit<DenseOptions, 'units'>>): Dense;
export function dense(options: KerasSpelled<DenseOptions>): Dense;
export function dense(unitsOrOptions: number | KerasSpelled<DenseOptions>, options?: KerasSpelled<Omit<DenseOptions, 'units'>>): Dense {
  return new Dense(unitsOrOptions as number, options);
}
