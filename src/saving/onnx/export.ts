import { packageVersion } from '../../cli/version.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { Activation } from '../../layers/activation.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { Flatten } from '../../layers/flatten.js';
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

// AttributeProto.AttributeType.INT.
const ATTRIBUTE_INT = 2;
const ACTIVATION_OPS = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' } as const;

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

/** The model as the bytes of a .onnx file. */
export function encodeOnnx(model: Sequential): Uint8Array {
  const nodes: Node[] = [];
  const initializers: Record<string, unknown>[] = [];
  let current = INPUT_NAME;
  let shape: readonly number[] = model.inputShape;
  const emit = (node: Omit<Node, 'output'>, output: string): void => {
    nodes.push({ ...node, output: [output] });
    current = output;
  };
  for (const layer of model.layers) {
    if (layer instanceof Dropout) continue;
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
      if (layer.activation !== 'linear') emit({ name: `${layer.name}/${ACTIVATION_OPS[layer.activation]}`, op_type: ACTIVATION_OPS[layer.activation], input: [current] }, `${layer.name}/output`);
      shape = layer.outputShape;
    } else if (layer instanceof Activation) {
      if (layer.activation === 'linear') continue;
      const op = ACTIVATION_OPS[layer.activation];
      if (op === 'Softmax' && shape.length > 1) {
        // digitnet's softmax spans the whole sample; ONNX's spans one axis, so flatten around it.
        emit({ name: `${layer.name}/Flatten`, op_type: 'Flatten', input: [current], attribute: [{ name: 'axis', type: ATTRIBUTE_INT, i: 1 }] }, `${layer.name}/flat`);
        emit({ name: `${layer.name}/Softmax`, op_type: 'Softmax', input: [current] }, `${layer.name}/softmax`);
        initializers.push(int64Tensor(`${layer.name}/shape`, [-1, ...shape]));
        emit({ name: `${layer.name}/Reshape`, op_type: 'Reshape', input: [current, `${layer.name}/shape`] }, `${layer.name}/output`);
      } else {
        emit({ name: `${layer.name}/${op}`, op_type: op, input: [current] }, `${layer.name}/output`);
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
