import { oneLine } from '../../validation.js';
import { statSync } from 'node:fs';
import { readRegularFile } from '../../io/read-file.js';
import type { ActivationName } from '../../layers/activations.js';
import type { Sequential } from '../../models/sequential.js';
import { buildImportedModel, shapeProblem, type ImportedLayer } from '../imported-model.js';
import { decodeModel, DATA_TYPE, dataTypeName, type AttributeMessage, type GraphMessage, type NodeMessage } from './onnx-proto.js';
import { readTensor, type ConstantValue } from './tensors.js';

/**
 * ONNX import for a multilayer perceptron: the graph must be one chain from its input to its
 * output through the operators below, as digitnet's export and torch.onnx.export write it
 * (Gemm with transB = 1, Flatten, Identity, Constant/Reshape). Each Gemm, or MatMul and Add,
 * becomes a Dense layer, and an activation right after it becomes that layer's activation.
 */

export const SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Relu', 'Sigmoid', 'Tanh', 'Softmax', 'BatchNormalization', 'Flatten', 'Reshape', 'Identity', 'Dropout', 'Constant'] as const;
export const OPSETS = { lowest: 9, highest: 21 } as const;
// The largest .onnx file digitnet reads: its weights are bounded by the unit cap anyway.
const LARGEST_FILE_BYTES = 1024 * 1024 * 1024;

const ACTIVATIONS: Record<string, ActivationName> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softmax: 'softmax' };

/** Reads a .onnx file into a digitnet model, checking everything first. */
export function loadOnnx(path: string): Sequential {
  const fail = (problem: string): never => {
    // Names quoted from the file may hold newlines and control characters: the message stays one line.
    throw new Error(`${path} is not an ONNX model digitnet can read: ${oneLine(problem)}.`);
  };
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new Error(`${path} is a folder, not an ONNX file.`);
    if (stats.size > LARGEST_FILE_BYTES) fail(`it is ${stats.size} bytes, more than the ${LARGEST_FILE_BYTES} allowed`);
    // Only a regular file, and only the size fstat gives (a FIFO or /dev/zero would block or never end).
    bytes = readRegularFile(path, { maxBytes: LARGEST_FILE_BYTES, what: 'ONNX file', missing: `ONNX model ${path} does not exist.` });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`ONNX model ${path} does not exist.`);
    throw error;
  }
  return decodeOnnx(bytes!, fail);
}

/** The model held by a .onnx file's bytes; `fail` gives the one sentence naming the file. */
export function decodeOnnx(bytes: Uint8Array, fail: (problem: string) => never): Sequential {
  if (bytes.length === 0) fail('it is empty');
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    // protobufjs names the offset where the bytes stop making sense ("index out of range: 812 + 10 > 820").
    return fail(`it does not decode as an ONNX ModelProto (${(error as Error).message.slice(0, 120)}): it may be truncated, or another kind of file`);
  }
  const graph = model.graph;
  if (!graph || !model.opset_import || model.opset_import.length === 0) fail('it has no graph or no opset_import, which every ONNX model has');
  const opset = model.opset_import!.find((entry) => (entry.domain ?? '') === '' || entry.domain === 'ai.onnx');
  if (!opset) fail(`it imports no opset of the default ONNX domain (only ${model.opset_import!.map((entry) => JSON.stringify(entry.domain)).join(', ')})`);
  const version = Number(opset!.version ?? 0);
  if (!(version >= OPSETS.lowest && version <= OPSETS.highest)) {
    fail(`it uses opset ${opset!.version} of the default domain; digitnet reads opsets ${OPSETS.lowest} to ${OPSETS.highest}`);
  }
  if ((model.functions?.length ?? 0) > 0) fail('it defines functions, which digitnet does not read');
  return readGraph(graph!, version, fail);
}

type Value = { kind: 'chain'; shape: number[] } | { kind: 'constant'; value: ConstantValue };

function readGraph(graph: GraphMessage, opset: number, fail: (problem: string) => never): Sequential {
  if ((graph.sparse_initializer?.length ?? 0) > 0) fail('it has sparse initializers, which digitnet does not read');
  const values = new Map<string, Value>();
  // Tensors that may still be read: the latest output of the chain and every constant.
  const initializers = graph.initializer ?? [];
  initializers.forEach((tensor, index) => {
    const name = tensor.name ?? '';
    if (values.has(name)) fail(`initializer ${JSON.stringify(name)} is given twice`);
    values.set(name, { kind: 'constant', value: readTensor(tensor, `initializer ${JSON.stringify(name || String(index))}`, fail) });
  });
  const inputs = (graph.input ?? []).filter((input) => !values.has(input.name ?? ''));
  if (inputs.length !== 1) fail(`its graph has ${inputs.length} inputs besides the initializers; digitnet reads models of one input`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensor_type;
  if (!tensorType) fail(`input ${JSON.stringify(input.name)} is not a tensor`);
  if (tensorType!.elem_type !== DATA_TYPE.FLOAT) fail(`input ${JSON.stringify(input.name)} is ${dataTypeName(tensorType!.elem_type)}; digitnet reads FLOAT inputs`);
  const dimensions = tensorType!.shape?.dim ?? [];
  if (dimensions.length < 2) fail(`input ${JSON.stringify(input.name)} has ${dimensions.length} dimensions; it needs a batch dimension and at least one more`);
  const inputShape = dimensions.slice(1).map((dimension, index) => {
    const size = dimension.dim_value === undefined ? NaN : Number(dimension.dim_value);
    if (!Number.isSafeInteger(size) || size <= 0) fail(`input ${JSON.stringify(input.name)} has dimension ${index + 1} ${dimension.dim_param ? JSON.stringify(dimension.dim_param) : String(dimension.dim_value)}; only the batch dimension may be unknown`);
    return size;
  });
  const inputProblem = shapeProblem(inputShape, `input ${JSON.stringify(input.name)}`);
  if (inputProblem) fail(inputProblem);
  let chain = input.name ?? '';
  values.set(chain, { kind: 'chain', shape: inputShape });

  const layers: ImportedLayer[] = [];
  // The Dense layer the chain's latest output comes straight from, while an Add or activation may still join it.
  let openDense: Extract<ImportedLayer, { kind: 'dense' }> | undefined;
  for (const node of graph.node ?? []) {
    const op = node.op_type ?? '';
    const where = `node ${JSON.stringify(node.name || op)} (${op})`;
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') fail(`${where} is from domain ${JSON.stringify(node.domain)}; digitnet reads the default domain's ${SUPPORTED_OPS.join(', ')}`);
    if (!(SUPPORTED_OPS as readonly string[]).includes(op)) fail(`${where} is an operator digitnet does not read; supported are ${SUPPORTED_OPS.join(', ')}`);
    const nodeInputs = (node.input ?? []).filter((name) => name !== '');
    const read = (name: string): Value => {
      const value = values.get(name);
      if (!value) fail(`${where} reads ${JSON.stringify(name)}, which is not an initializer, a constant or the latest layer's output (the graph must be one chain)`);
      if (value!.kind === 'chain' && name !== chain) fail(`${where} reads ${JSON.stringify(name)}, an earlier output: the graph branches, and digitnet reads one chain of layers`);
      return value!;
    };
    const operands = nodeInputs.map(read);
    const chainInputs = operands.filter((operand) => operand.kind === 'chain').length;
    const output = node.output?.[0];
    if (!output) fail(`${where} has no output`);
    if (values.has(output!)) fail(`${where} writes ${JSON.stringify(output)}, which already exists`);
    const constant = (index: number, what: string): ConstantValue => {
      const operand = operands[index];
      if (!operand || operand.kind !== 'constant') fail(`${where} needs its ${what} as an initializer or constant`);
      return (operand as { value: ConstantValue }).value;
    };
    const chainShape = (): number[] => {
      if (chainInputs !== 1 || operands[0]?.kind !== 'chain') fail(`${where} does not take the latest layer's output as its first input`);
      return (operands[0] as { shape: number[] }).shape;
    };
    const advance = (shape: number[]): void => {
      chain = output!;
      values.set(chain, { kind: 'chain', shape });
    };
    switch (op) {
      case 'Constant':
        if (chainInputs > 0 || nodeInputs.length > 0) fail(`${where} has inputs`);
        values.set(output!, { kind: 'constant', value: constantNode(node, where, fail) });
        break;
      case 'Identity':
      case 'Dropout':
        if (operands[0]?.kind === 'constant') values.set(output!, operands[0]);
        else {
          advance(chainShape());
          continue;
        }
        break;
      case 'Gemm':
      case 'MatMul': {
        const shape = chainShape();
        if (shape.length !== 1) fail(`${where} receives samples of shape [${shape.join(', ')}]; digitnet reads ${op} on flat samples (put a Flatten before it)`);
        const transposed = op === 'Gemm' && intAttribute(node, 'transB', 0, fail) === 1;
        if (op === 'Gemm' && intAttribute(node, 'transA', 0, fail) !== 0) fail(`${where} has transA = 1, which would treat the batch as features`);
        const alpha = op === 'Gemm' ? floatAttribute(node, 'alpha', 1) : 1;
        const beta = op === 'Gemm' ? floatAttribute(node, 'beta', 1) : 1;
        const weight = constant(1, 'weight');
        if (weight.type !== 'float' || weight.shape.length !== 2) fail(`${where} has a weight of shape [${weight.shape.join(', ')}]; it must be a 2-D float tensor`);
        const [rows, columns] = weight.shape as [number, number];
        const inputs = transposed ? columns : rows;
        const units = transposed ? rows : columns;
        if (inputs !== shape[0]) fail(`${where} has a weight of shape [${weight.shape.join(', ')}]${transposed ? ' (transposed)' : ''} for samples of ${shape[0]} values`);
        const kernel = new Float32Array(inputs * units);
        const source = weight.values as Float32Array;
        for (let row = 0; row < inputs; row++) {
          for (let unit = 0; unit < units; unit++) kernel[row * units + unit] = alpha * (transposed ? source[unit * inputs + row]! : source[row * units + unit]!);
        }
        const bias = op === 'Gemm' && operands.length > 2 ? biasValues(constant(2, 'bias'), units, beta, where, fail) : null;
        openDense = { kind: 'dense', inputs, units, kernel, bias, activation: 'linear' };
        layers.push(openDense);
        advance([units]);
        continue;
      }
      case 'Add': {
        if (chainInputs !== 1 || operands.length !== 2) fail(`${where} does not add a constant to the latest layer's output`);
        if (!openDense || openDense.bias || openDense.activation !== 'linear') fail(`${where} adds a constant that is not the bias of the MatMul or Gemm before it`);
        openDense!.bias = biasValues(constant(operands[0]!.kind === 'constant' ? 0 : 1, 'bias'), openDense!.units, 1, where, fail);
        advance([openDense!.units]);
        continue;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Softmax': {
        const shape = chainShape();
        const activation = ACTIVATIONS[op]!;
        if (op === 'Softmax') {
          const axis = intAttribute(node, 'axis', opset >= 13 ? -1 : 1, fail);
          // digitnet's softmax spans a flat sample; on one, axis 1 and -1 agree in every opset.
          if (shape.length !== 1 || (axis !== 1 && axis !== -1)) fail(`${where} takes the softmax over axis ${axis} of samples of shape [${shape.join(', ')}]; digitnet reads it over flat samples`);
        }
        if (openDense && openDense.activation === 'linear') openDense.activation = activation;
        else layers.push({ kind: 'activation', activation });
        openDense = undefined;
        advance(shape);
        continue;
      }
      case 'BatchNormalization': {
        // Inference form: Y = (X − input_mean) / sqrt(input_var + epsilon) · scale + B, per feature.
        const shape = chainShape();
        if (shape.length !== 1) fail(`${where} normalizes samples of shape [${shape.join(', ')}]; digitnet reads BatchNormalization on flat samples`);
        if (intAttribute(node, 'training_mode', 0, fail) !== 0) fail(`${where} is in training mode; digitnet reads the inference form`);
        if (operands.length !== 5) fail(`${where} has ${operands.length} inputs; BatchNormalization takes X, scale, B, input_mean and input_var`);
        const vector = (index: number, what: string): Float32Array => {
          const value = constant(index, what);
          if (value.type !== 'float' || value.shape.length !== 1 || value.shape[0] !== shape[0]) fail(`${where} has a ${what} of shape [${value.shape.join(', ')}] for ${shape[0]} features; it must be a 1-D float tensor`);
          return Float32Array.from(value.values as Float32Array);
        };
        const epsilon = floatAttribute(node, 'epsilon', 1e-5);
        const momentum = floatAttribute(node, 'momentum', 0.9);
        if (!(epsilon > 0 && Number.isFinite(epsilon))) fail(`${where} has epsilon ${epsilon}; it must be a positive number`);
        if (!(momentum >= 0 && momentum <= 1)) fail(`${where} has momentum ${momentum}; it must be in [0, 1]`);
        layers.push({ kind: 'batchNormalization', gamma: vector(1, 'scale'), beta: vector(2, 'B'), movingMean: vector(3, 'input_mean'), movingVariance: vector(4, 'input_var'), epsilon, momentum });
        openDense = undefined;
        advance(shape);
        continue;
      }
      case 'Flatten': {
        const shape = chainShape();
        const axis = intAttribute(node, 'axis', 1, fail);
        if (axis !== 1 && !(axis === -shape.length && shape.length > 0)) fail(`${where} flattens from axis ${axis}; digitnet reads Flatten from axis 1 (each sample flat)`);
        if (shape.length > 1) layers.push({ kind: 'flatten' });
        openDense = undefined;
        advance([shape.reduce((product, dimension) => product * dimension, 1)]);
        continue;
      }
      case 'Reshape': {
        const shape = chainShape();
        const target = constant(1, 'target shape');
        const size = shape.reduce((product, dimension) => product * dimension, 1);
        const wanted = target.type === 'int64' ? target.values.map(Number) : [];
        // Read only as a flatten: [-1 or 0 (the batch), size or -1].
        const flattens = wanted.length === 2 && (wanted[0] === -1 || wanted[0] === 0) && (wanted[1] === size || wanted[1] === -1) && !(wanted[0] === -1 && wanted[1] === -1);
        if (!flattens) fail(`${where} reshapes samples of shape [${shape.join(', ')}] to [${wanted.join(', ')}]; digitnet reads Reshape only as a flatten to [batch, ${size}]`);
        if (shape.length > 1) layers.push({ kind: 'flatten' });
        openDense = undefined;
        advance([size]);
        continue;
      }
    }
    // Only constants were made: the chain and the open Dense layer stay as they were.
  }
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) fail(`its graph has ${outputs.length} outputs; digitnet reads models of one output`);
  if (outputs[0]!.name !== chain) fail(`its output ${JSON.stringify(outputs[0]!.name)} is not the end of the chain of layers (${JSON.stringify(chain)})`);
  if (layers.length === 0) fail('it has no layer digitnet can build (no Gemm, MatMul, activation or Flatten)');
  return buildImportedModel(graph.name || 'sequential', inputShape, layers, fail);
}

function attribute(node: NodeMessage, name: string): AttributeMessage | undefined {
  return node.attribute?.find((entry) => entry.name === name);
}

function intAttribute(node: NodeMessage, name: string, fallback: number, fail: (problem: string) => never): number {
  const found = attribute(node, name);
  if (!found) return fallback;
  const value = Number(found.i ?? 0);
  if (!Number.isSafeInteger(value)) fail(`node ${JSON.stringify(node.name || node.op_type)} has attribute ${name} = ${found.i}`);
  return value;
}

function floatAttribute(node: NodeMessage, name: string, fallback: number): number {
  return attribute(node, name)?.f ?? fallback;
}

/** A bias of [units] or [1, units], or one value for every unit, scaled by Gemm's beta. */
function biasValues(value: ConstantValue, units: number, beta: number, where: string, fail: (problem: string) => never): Float32Array {
  if (value.type !== 'float') fail(`${where} has a bias that is not float`);
  const values = value.values as Float32Array;
  const fits = (value.shape.length === 1 && value.shape[0] === units) || (value.shape.length === 2 && value.shape[0] === 1 && value.shape[1] === units);
  const scalar = values.length === 1 && value.shape.every((dimension) => dimension === 1);
  if (!fits && !scalar) fail(`${where} has a bias of shape [${value.shape.join(', ')}] for ${units} units`);
  return Float32Array.from({ length: units }, (_, unit) => beta * values[scalar ? 0 : unit]!);
}

/** A Constant node's value: a tensor (value) or the opset 12+ shorthands. */
function constantNode(node: NodeMessage, where: string, fail: (problem: string) => never): ConstantValue {
  const entry = node.attribute?.[0];
  if (!entry || (node.attribute?.length ?? 0) !== 1) fail(`${where} needs exactly one value attribute`);
  switch (entry!.name) {
    case 'value':
      if (!entry!.t) fail(`${where} has no tensor in its value`);
      return readTensor(entry!.t!, where, fail);
    case 'value_float':
      return { type: 'float', shape: [], values: Float32Array.of(entry!.f ?? 0) };
    case 'value_floats':
      return { type: 'float', shape: [entry!.floats?.length ?? 0], values: Float32Array.from(entry!.floats ?? []) };
    case 'value_int':
      return { type: 'int64', shape: [], values: [BigInt(entry!.i ?? '0')] };
    case 'value_ints':
      return { type: 'int64', shape: [entry!.ints?.length ?? 0], values: (entry!.ints ?? []).map((text) => BigInt(text)) };
    default:
      return fail(`${where} holds its value as ${JSON.stringify(entry!.name)}; digitnet reads value, value_float(s) and value_int(s)`);
  }
}
