import { packageVersion } from '../../cli/version.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { Activation } from '../../layers/activation.js';
import { Dense } from '../../layers/dense.js';
import { ActivityRegularization } from '../../layers/activity-regularization.js';
import { BatchNormalization } from '../../layers/batch-normalization.js';
import { Dropout } from '../../layers/dropout.js';
import { Flatten } from '../../layers/flatten.js';
import { GaussianNoise } from '../../layers/gaussian-noise.js';
import { ImageAugmentation } from '../../layers/image-augmentation.js';
import { LayerNormalization } from '../../layers/layer-normalization.js';
import type { Sequential } from '../../models/sequential.js';
import { DATA_TYPE, encodeModel } from './onnx-proto.js';

/**
 * ONNX export: one Gemm per Dense layer (kernel [inputs, units] as stored, so transB = 0), its
 * activation as its own node, Flatten where the samples are not flat yet; Dropout is left out as
 * it does nothing at inference. The batch dimension is symbolic ("batch"), weights are raw_data
 * initializers, and the default domain's opset 13 is used (Softmax over the last axis).
 */

export const ONNX_OPSET = 13;
// IR version 7 is the one that came with opset 13 (ONNX 1.8); every runtime reading opset 13 reads it.
export const ONNX_IR_VERSION = 7;
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';

// AttributeProto.AttributeType FLOAT and INT.
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

type Emit = (node: Omit<Node, 'output'>, output: string) => void;

function floatAttribute(name: string, value: number): Record<string, unknown> {
  return { name, type: ATTRIBUTE_FLOAT, f: value };
}

/**
 * Each activation as opset-13 nodes from `input` to `output`, with Keras 3's constants: those
 * with an operator of their own take it (LeakyRelu's slope and HardSigmoid's 1/6 set explicitly,
 * as ONNX's defaults are Keras 2's), and gelu, silu and mish are composed (Gelu came only in opset 20).
 */
function emitActivation(emit: Emit, activation: string, prefix: string, input: string, output: string, constant: (name: string, value: number) => string): void {
  const single: Record<string, { op: string; attribute?: Record<string, unknown>[] }> = {
    relu: { op: 'Relu' },
    sigmoid: { op: 'Sigmoid' },
    tanh: { op: 'Tanh' },
    softmax: { op: 'Softmax' },
    elu: { op: 'Elu', attribute: [floatAttribute('alpha', 1)] },
    selu: { op: 'Selu', attribute: [floatAttribute('alpha', 1.67326324), floatAttribute('gamma', 1.05070098)] },
    leaky_relu: { op: 'LeakyRelu', attribute: [floatAttribute('alpha', 0.2)] },
    softplus: { op: 'Softplus' },
    softsign: { op: 'Softsign' },
    hard_sigmoid: { op: 'HardSigmoid', attribute: [floatAttribute('alpha', 1 / 6), floatAttribute('beta', 0.5)] },
  };
  const found = single[activation];
  if (found) {
    emit({ name: `${prefix}/${found.op}`, op_type: found.op, input: [input], ...(found.attribute ? { attribute: found.attribute } : {}) }, output);
    return;
  }
  switch (activation) {
    case 'silu':
      emit({ name: `${prefix}/Sigmoid`, op_type: 'Sigmoid', input: [input] }, `${prefix}/sigmoid`);
      emit({ name: `${prefix}/Mul`, op_type: 'Mul', input: [input, `${prefix}/sigmoid`] }, output);
      return;
    case 'mish':
      emit({ name: `${prefix}/Softplus`, op_type: 'Softplus', input: [input] }, `${prefix}/softplus`);
      emit({ name: `${prefix}/Tanh`, op_type: 'Tanh', input: [`${prefix}/softplus`] }, `${prefix}/tanh`);
      emit({ name: `${prefix}/Mul`, op_type: 'Mul', input: [input, `${prefix}/tanh`] }, output);
      return;
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2)), Keras's exact gelu.
      emit({ name: `${prefix}/Div`, op_type: 'Div', input: [input, constant('sqrt2', Math.SQRT2)] }, `${prefix}/scaled`);
      emit({ name: `${prefix}/Erf`, op_type: 'Erf', input: [`${prefix}/scaled`] }, `${prefix}/erf`);
      emit({ name: `${prefix}/Add`, op_type: 'Add', input: [`${prefix}/erf`, constant('one', 1)] }, `${prefix}/onePlusErf`);
      emit({ name: `${prefix}/Mul`, op_type: 'Mul', input: [input, `${prefix}/onePlusErf`] }, `${prefix}/product`);
      emit({ name: `${prefix}/Half`, op_type: 'Mul', input: [`${prefix}/product`, constant('half', 0.5)] }, output);
      return;
    }
    default:
      throw new Error(`Activation "${activation}" has no ONNX export.`);
  }
}

interface Node {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute?: Record<string, unknown>[];
  doc_string?: string;
}

function floatTensor(name: string, shape: readonly number[], values: Float32Array): Record<string, unknown> {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  // ONNX's raw_data is little-endian whatever the machine.
  for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index]!, true);
  return { name, dims: [...shape], data_type: DATA_TYPE.FLOAT, raw_data: raw };
}

function int64Tensor(name: string, values: readonly number[]): Record<string, unknown> {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((value, index) => view.setBigInt64(index * 8, BigInt(value), true));
  return { name, dims: [values.length], data_type: DATA_TYPE.INT64, raw_data: raw };
}

function valueInfo(name: string, sampleShape: readonly number[]): Record<string, unknown> {
  return {
    name,
    type: { tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim: [{ dim_param: 'batch' }, ...sampleShape.map((size) => ({ dim_value: size }))] } } },
  };
}

/** (x - mean) / sqrt(variance + epsilon) · gamma + beta over each sample's features, in opset-13 nodes (LayerNormalization came in 17). */
function emitLayerNormalization(emit: Emit, layer: LayerNormalization, input: string, constant: (name: string, value: number) => string, vector: (name: string, values: Float32Array) => string): void {
  const prefix = layer.name;
  const lastAxis = [{ name: 'axes', type: ATTRIBUTE_INTS, ints: [-1] }, { name: 'keepdims', type: ATTRIBUTE_INT, i: 1 }];
  emit({ name: `${prefix}/Mean`, op_type: 'ReduceMean', input: [input], attribute: lastAxis }, `${prefix}/mean`);
  emit({ name: `${prefix}/Center`, op_type: 'Sub', input: [input, `${prefix}/mean`] }, `${prefix}/centered`);
  emit({ name: `${prefix}/Square`, op_type: 'Mul', input: [`${prefix}/centered`, `${prefix}/centered`] }, `${prefix}/squares`);
  emit({ name: `${prefix}/Variance`, op_type: 'ReduceMean', input: [`${prefix}/squares`], attribute: lastAxis }, `${prefix}/variance`);
  emit({ name: `${prefix}/AddEpsilon`, op_type: 'Add', input: [`${prefix}/variance`, constant('epsilon', layer.epsilon)] }, `${prefix}/shifted`);
  emit({ name: `${prefix}/Sqrt`, op_type: 'Sqrt', input: [`${prefix}/shifted`] }, `${prefix}/deviation`);
  const normalized = layer.scale || layer.center ? `${prefix}/normalized` : `${prefix}/output`;
  emit({ name: `${prefix}/Normalize`, op_type: 'Div', input: [`${prefix}/centered`, `${prefix}/deviation`] }, normalized);
  const [gamma, beta] = [layer.scale ? layer.weights[0] : undefined, layer.center ? layer.weights[layer.scale ? 1 : 0] : undefined];
  if (gamma) emit({ name: `${prefix}/Scale`, op_type: 'Mul', input: [normalized, vector(gamma.name, gamma.values)] }, beta ? `${prefix}/scaled` : `${prefix}/output`);
  if (beta) emit({ name: `${prefix}/Shift`, op_type: 'Add', input: [gamma ? `${prefix}/scaled` : normalized, vector(beta.name, beta.values)] }, `${prefix}/output`);
}

/** The model as the bytes of a .onnx file. */
export function encodeOnnx(model: Sequential): Uint8Array {
  const nodes: Node[] = [];
  const initializers: Record<string, unknown>[] = [];
  let current = INPUT_NAME;
  let shape: readonly number[] = model.inputShape;
  const emit: Emit = (node, output) => {
    nodes.push({ ...node, output: [output] });
    current = output;
  };
  // Scalar float initializers a composed activation multiplies or adds by, named after their layer.
  const constant =
    (prefix: string) =>
    (name: string, value: number): string => {
      const full = `${prefix}/${name}`;
      initializers.push(floatTensor(full, [], Float32Array.of(value)));
      return full;
    };
  for (const layer of model.layers) {
    // Layers that only act while training pass their input through at inference.
    if (layer instanceof Dropout || layer instanceof GaussianNoise || layer instanceof ActivityRegularization || layer instanceof ImageAugmentation) continue;
    if (layer instanceof BatchNormalization) {
      const features = layer.outputSize;
      const named = (suffix: string): Float32Array | undefined => [...layer.weights, ...layer.nonTrainableWeights].find((weight) => weight.name.endsWith(`/${suffix}`))?.values;
      const inputs = [current];
      for (const [suffix, fallback] of [['gamma', 1], ['beta', 0], ['moving_mean', 0], ['moving_variance', 1]] as const) {
        initializers.push(floatTensor(`${layer.name}/${suffix}`, [features], named(suffix) ?? new Float32Array(features).fill(fallback)));
        inputs.push(`${layer.name}/${suffix}`);
      }
      emit({ name: `${layer.name}/BatchNormalization`, op_type: 'BatchNormalization', input: inputs, attribute: [floatAttribute('epsilon', layer.epsilon)] }, `${layer.name}/output`);
      continue;
    }
    if (layer instanceof LayerNormalization) {
      emitLayerNormalization(emit, layer, current, constant(layer.name), (name, values) => {
        initializers.push(floatTensor(name, [values.length], values));
        return name;
      });
      continue;
    }
    if (layer instanceof Flatten) {
      if (shape.length > 1) emit({ name: layer.name, op_type: 'Flatten', input: [current], attribute: [{ name: 'axis', type: ATTRIBUTE_INT, i: 1 }] }, `${layer.name}/output`);
      shape = layer.outputShape;
    } else if (layer instanceof Dense) {
      const [kernel, bias] = layer.weights;
      initializers.push(floatTensor(kernel!.name, kernel!.shape, kernel!.values));
      const inputs = [current, kernel!.name];
      if (bias) {
        initializers.push(floatTensor(bias.name, bias.shape, bias.values));
        inputs.push(bias.name);
      }
      const linear = layer.activation === 'linear' ? `${layer.name}/output` : `${layer.name}/linear`;
      emit({ name: `${layer.name}/Gemm`, op_type: 'Gemm', input: inputs, doc_string: `Dense ${layer.name}: input · kernel + bias` }, linear);
      if (layer.activation !== 'linear') emitActivation(emit, layer.activation, layer.name, current, `${layer.name}/output`, constant(layer.name));
      shape = layer.outputShape;
    } else if (layer instanceof Activation) {
      if (layer.activation === 'linear') continue;
      if (layer.activation === 'softmax' && shape.length > 1) {
        // digitnet's softmax spans the whole sample; ONNX's spans one axis, so flatten around it.
        emit({ name: `${layer.name}/Flatten`, op_type: 'Flatten', input: [current], attribute: [{ name: 'axis', type: ATTRIBUTE_INT, i: 1 }] }, `${layer.name}/flat`);
        emit({ name: `${layer.name}/Softmax`, op_type: 'Softmax', input: [current] }, `${layer.name}/softmax`);
        initializers.push(int64Tensor(`${layer.name}/shape`, [-1, ...shape]));
        emit({ name: `${layer.name}/Reshape`, op_type: 'Reshape', input: [current, `${layer.name}/shape`] }, `${layer.name}/output`);
      } else {
        emitActivation(emit, layer.activation, layer.name, current, `${layer.name}/output`, constant(layer.name));
      }
    } else {
      throw new Error(`Layer "${layer.name}" is a ${layer.className}, which the ONNX export does not know.`);
    }
  }
  // The last node's output is the graph's; a model that computes nothing at inference copies its input.
  if (nodes.length === 0) emit({ name: 'identity', op_type: 'Identity', input: [INPUT_NAME] }, OUTPUT_NAME);
  else nodes[nodes.length - 1]!.output = [OUTPUT_NAME];
  const version = packageVersion();
  const layersText = model.layers.map((layer) => layer.className).join(', ');
  return encodeModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'digitnet',
    producer_version: version,
    doc_string: `digitnet ${version} Sequential model "${model.name}" (${layersText}); Dropout is omitted as it does nothing at inference.`,
    graph: {
      name: model.name,
      doc_string: `Input "${INPUT_NAME}" [batch, ${model.inputShape.join(', ')}] float32 (MNIST pixels scaled to 0..1); output "${OUTPUT_NAME}" [batch, ${model.outputShape.join(', ')}].`,
      node: nodes,
      initializer: initializers,
      input: [valueInfo(INPUT_NAME, model.inputShape)],
      output: [valueInfo(OUTPUT_NAME, model.outputShape)],
    },
  });
}

/** Writes the model as a .onnx file; the file appears complete or not at all. */
export function saveOnnx(model: Sequential, path: string): void {
  writeFileAtomic(path, encodeOnnx(model));
}
