import { LARGEST_LAYER_UNITS } from '../imported-model.js';
import { DATA_TYPE, dataTypeName, EXTERNAL_DATA, type TensorMessage } from './onnx-proto.js';

/** A constant of the graph (an initializer or a Constant node's value), read and size-checked. */
export type ConstantValue = { type: 'float'; shape: number[]; values: Float32Array } | { type: 'int64'; shape: number[]; values: bigint[] };

/**
 * Reads a TensorProto's values. Its declared dimensions are checked against the unit cap and
 * against the data actually present before anything is allocated, so a tensor costs at most what
 * its bytes in the file hold.
 */
export function readTensor(tensor: TensorMessage, what: string, fail: (problem: string) => never): ConstantValue {
  if (tensor.data_location === EXTERNAL_DATA) fail(`${what} keeps its values in an external file; digitnet reads weights stored inside the .onnx file`);
  if (tensor.segment !== undefined && tensor.segment !== null) fail(`${what} is a segment of a larger tensor, which digitnet does not read`);
  const shape: number[] = [];
  for (const text of tensor.dims ?? []) {
    const dimension = BigInt(text);
    if (dimension < 0n || dimension > BigInt(LARGEST_LAYER_UNITS)) fail(`${what} declares dimension ${text}; dimensions must be in 0..${LARGEST_LAYER_UNITS}`);
    shape.push(Number(dimension));
  }
  if (shape.length > 4) fail(`${what} has ${shape.length} dimensions; digitnet's weights have at most 2`);
  const count = shape.reduce((product, dimension) => product * dimension, 1);
  const raw = tensor.raw_data && tensor.raw_data.length > 0 ? tensor.raw_data : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  if (tensor.data_type === DATA_TYPE.FLOAT) {
    if (raw) {
      if (raw.length !== count * 4) fail(`${what} of shape [${shape.join(', ')}] needs ${count * 4} bytes of float32 but its raw_data has ${raw.length}`);
      const values = new Float32Array(count);
      for (let index = 0; index < count; index++) values[index] = view!.getFloat32(index * 4, true);
      return { type: 'float', shape, values };
    }
    const given = tensor.float_data ?? [];
    if (given.length !== count) fail(`${what} of shape [${shape.join(', ')}] needs ${count} values but holds ${given.length}`);
    return { type: 'float', shape, values: Float32Array.from(given) };
  }
  if (tensor.data_type === DATA_TYPE.INT64) {
    if (raw) {
      if (raw.length !== count * 8) fail(`${what} of shape [${shape.join(', ')}] needs ${count * 8} bytes of int64 but its raw_data has ${raw.length}`);
      return { type: 'int64', shape, values: Array.from({ length: count }, (_, index) => view!.getBigInt64(index * 8, true)) };
    }
    const given = tensor.int64_data ?? [];
    if (given.length !== count) fail(`${what} of shape [${shape.join(', ')}] needs ${count} values but holds ${given.length}`);
    return { type: 'int64', shape, values: given.map((text) => BigInt(text)) };
  }
  return fail(`${what} has data type ${dataTypeName(tensor.data_type)}; digitnet reads FLOAT weights and INT64 shapes`);
}
