import { createRequire } from 'node:module';
import type protobufTypes from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema.js';

/**
 * ONNX's protobuf messages, from the JSON descriptor compiled out of onnx.proto, and the
 * TypeScript shape of what protobufjs's toObject gives for the fields digitnet reads (int64s as
 * decimal strings, so a huge value is seen as huge, bytes as Uint8Array views of the file).
 */

// protobufjs is loaded at the first ONNX file rather than with digitnet: most runs never touch one.
let loaded: { modelProto: protobufTypes.Type; dataTypes: protobufTypes.Enum } | undefined;

function schema(): NonNullable<typeof loaded> {
  if (!loaded) {
    const protobuf = createRequire(import.meta.url)('protobufjs') as typeof protobufTypes;
    const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobufTypes.INamespace);
    loaded = { modelProto: root.lookupType('onnx.ModelProto'), dataTypes: root.lookupEnum('onnx.TensorProto.DataType') };
  }
  return loaded;
}

/** TensorProto.DataType values digitnet writes or reads. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;
/** TensorProto.DataLocation.EXTERNAL: the values live in another file. */
export const EXTERNAL_DATA = 1;

/** "FLOAT16" for 10, as onnx.proto names it, or the number when it names none. */
export function dataTypeName(value: number | undefined): string {
  return schema().dataTypes.valuesById[value ?? 0] ?? String(value);
}

export interface TensorMessage {
  name?: string;
  dims?: string[];
  data_type?: number;
  float_data?: number[];
  int64_data?: string[];
  raw_data?: Uint8Array;
  data_location?: number;
  segment?: unknown;
}

export interface AttributeMessage {
  name?: string;
  type?: number;
  f?: number;
  i?: string;
  s?: Uint8Array;
  t?: TensorMessage;
  floats?: number[];
  ints?: string[];
  sparse_tensor?: unknown;
}

export interface NodeMessage {
  name?: string;
  op_type?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeMessage[];
}

export interface DimensionMessage {
  dim_value?: string;
  dim_param?: string;
}

export interface ValueInfoMessage {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionMessage[] } } };
}

export interface GraphMessage {
  name?: string;
  doc_string?: string;
  node?: NodeMessage[];
  initializer?: TensorMessage[];
  sparse_initializer?: unknown[];
  input?: ValueInfoMessage[];
  output?: ValueInfoMessage[];
}

export interface ModelMessage {
  ir_version?: string;
  opset_import?: { domain?: string; version?: string }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphMessage;
  functions?: unknown[];
}

/** Decodes a .onnx file's bytes; throws protobufjs's error when they are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const { modelProto } = schema();
  return modelProto.toObject(modelProto.decode(bytes), { longs: String, enums: Number, arrays: true }) as ModelMessage;
}

/** Encodes a model given as plain objects (int64 fields as numbers or decimal strings), checking it against the schema. */
export function encodeModel(model: Record<string, unknown>): Uint8Array {
  const { modelProto } = schema();
  const message = modelProto.fromObject(model);
  const problem = modelProto.verify(message);
  if (problem) throw new Error(`digitnet built an invalid ONNX model (${problem}); this is a bug.`);
  return modelProto.encode(message).finish();
}
