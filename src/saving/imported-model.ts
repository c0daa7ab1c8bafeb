import type { ActivationName } from '../layers/activations.js';
import type { InitializerName } from '../initializers/initializers.js';
import type { LayerConfig } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';

/** Far beyond any MNIST network (the CLI's --layers allows as many); bounds what a file can make us allocate. */
export const LARGEST_LAYER_UNITS = 65536;
/** Values in one sample: a 256×256 image, four times MNIST's side. */
export const LARGEST_SAMPLE_SIZE = 65536;

/** One layer as another format described it, with its weights already read and checked for size. */
export type ImportedLayer =
  | {
      kind: 'dense';
      name?: string;
      inputs: number;
      units: number;
      kernel: Float32Array;
      bias: Float32Array | null;
      activation: ActivationName;
      kernelInitializer?: InitializerName;
      biasInitializer?: InitializerName;
    }
  | { kind: 'flatten'; name?: string }
  | { kind: 'activation'; name?: string; activation: ActivationName }
  | { kind: 'dropout'; name?: string; rate: number }
  | {
      kind: 'batchNormalization';
      name?: string;
      /** gamma, beta and the moving statistics, one value per feature each. */
      gamma: Float32Array;
      beta: Float32Array;
      movingMean: Float32Array;
      movingVariance: Float32Array;
      epsilon: number;
      momentum: number;
    };

/**
 * Checks a shape read from a file before anything of that size is allocated: every dimension a
 * positive integer within the caps. Returns the problem as a phrase, or undefined when it is fine.
 */
export function shapeProblem(shape: readonly number[], what: string): string | undefined {
  if (shape.length === 0) return `${what} has no dimensions`;
  const bad = shape.find((dimension) => !Number.isSafeInteger(dimension) || dimension <= 0);
  if (bad !== undefined) return `${what} has dimension ${bad}; dimensions must be positive integers`;
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  if (size > LARGEST_SAMPLE_SIZE) return `${what} [${shape.join(', ')}] holds ${size} values per sample, more than the ${LARGEST_SAMPLE_SIZE} allowed`;
  return undefined;
}

/** The index of the first value that is NaN or infinite, or -1. */
export function firstNonFinite(values: Float32Array): number {
  for (let index = 0; index < values.length; index++) if (!Number.isFinite(values[index]!)) return index;
  return -1;
}

/**
 * Builds a digitnet model from layers read out of another format's file. `fail` turns a problem
 * into the caller's one sentence naming the file; nothing is allocated for a layer before its
 * sizes are checked against the caps and against the weights actually present.
 */
export function buildImportedModel(name: string, inputShape: readonly number[], layers: readonly ImportedLayer[], fail: (problem: string) => never): Sequential {
  const inputProblem = shapeProblem(inputShape, 'the input shape');
  if (inputProblem) fail(inputProblem);
  if (layers.length === 0) fail('it has no layers');
  const configs: LayerConfig[] = [];
  const weights: Float32Array[] = [];
  // Followed here so that a kernel the model would build larger than the one the file holds is
  // refused before the model allocates it.
  let shape: readonly number[] = inputShape;
  for (const layer of layers) {
    const named = layer.name ? { name: layer.name } : {};
    switch (layer.kind) {
      case 'dense': {
        if (shape.length !== 1) fail(`${layer.name ?? 'a dense layer'} receives samples of shape [${shape.join(', ')}]; a dense layer needs them flat`);
        if (layer.inputs !== shape[0]) fail(`the kernel of ${layer.name ?? 'a dense layer'} has ${layer.inputs} rows but the layer receives ${shape[0]} values`);
        if (layer.units > LARGEST_LAYER_UNITS) fail(`layer ${layer.name ?? 'dense'} has ${layer.units} units, more than the ${LARGEST_LAYER_UNITS} allowed`);
        if (layer.kernel.length !== layer.inputs * layer.units) fail(`the kernel of ${layer.name ?? 'a dense layer'} has ${layer.kernel.length} values where [${layer.inputs}, ${layer.units}] needs ${layer.inputs * layer.units}`);
        const badKernel = firstNonFinite(layer.kernel);
        if (badKernel >= 0) fail(`the kernel of ${layer.name ?? 'a dense layer'} holds ${layer.kernel[badKernel]} at index ${badKernel}; weights must be finite`);
        weights.push(layer.kernel);
        if (layer.bias) {
          if (layer.bias.length !== layer.units) fail(`the bias of ${layer.name ?? 'a dense layer'} has ${layer.bias.length} values where ${layer.units} are needed`);
          const badBias = firstNonFinite(layer.bias);
          if (badBias >= 0) fail(`the bias of ${layer.name ?? 'a dense layer'} holds ${layer.bias[badBias]} at index ${badBias}; weights must be finite`);
          weights.push(layer.bias);
        }
        const initializers = {
          ...(layer.kernelInitializer ? { kernelInitializer: layer.kernelInitializer } : {}),
          ...(layer.biasInitializer ? { biasInitializer: layer.biasInitializer } : {}),
        };
        configs.push({ className: 'Dense', config: { ...named, units: layer.units, activation: layer.activation, useBias: layer.bias !== null, ...initializers } });
        shape = [layer.units];
        break;
      }
      case 'flatten':
        configs.push({ className: 'Flatten', config: named });
        shape = [shape.reduce((product, dimension) => product * dimension, 1)];
        break;
      case 'activation':
        configs.push({ className: 'Activation', config: { ...named, activation: layer.activation } });
        break;
      case 'dropout':
        configs.push({ className: 'Dropout', config: { ...named, rate: layer.rate } });
        break;
      case 'batchNormalization': {
        const label = layer.name ?? 'a batch normalization';
        if (shape.length !== 1) fail(`${label} receives samples of shape [${shape.join(', ')}]; digitnet normalizes flat samples`);
        const parts = { gamma: layer.gamma, beta: layer.beta, moving_mean: layer.movingMean, moving_variance: layer.movingVariance };
        for (const [part, values] of Object.entries(parts)) {
          if (values.length !== shape[0]) fail(`the ${part} of ${label} has ${values.length} values for ${shape[0]} features`);
          const bad = firstNonFinite(values);
          if (bad >= 0) fail(`the ${part} of ${label} holds ${values[bad]} at index ${bad}; weights must be finite`);
        }
        const negative = layer.movingVariance.findIndex((value) => value < 0);
        if (negative >= 0) fail(`the moving_variance of ${label} holds ${layer.movingVariance[negative]} at index ${negative}; a variance cannot be negative`);
        weights.push(layer.gamma, layer.beta, layer.movingMean, layer.movingVariance);
        configs.push({ className: 'BatchNormalization', config: { ...named, epsilon: layer.epsilon, momentum: layer.momentum } });
        break;
      }
    }
  }
  // Declared on the first layer, as a Keras user writes it (and as tfjs and Keras files carry it).
  configs[0] = { className: configs[0]!.className, config: { ...configs[0]!.config, inputShape: [...inputShape] } };
  let model: Sequential;
  try {
    model = Sequential.fromConfig({ name, layers: configs, inputShape: [...inputShape] });
    model.setWeights(weights);
  } catch (error) {
    return fail(`its layers do not make a model (${(error as Error).message.replace(/\.$/, '')})`);
  }
  return model;
}
