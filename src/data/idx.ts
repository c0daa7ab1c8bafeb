/**
 * IDX files (the format MNIST and Fashion-MNIST ship in): a 4-byte magic number — two zero
 * bytes, a type code, the number of dimensions — then each dimension as a big-endian uint32,
 * then the values, big-endian. Files may be gzipped (detected from the content, not the name).
 */
import { writeFileSync } from 'node:fs';
import { formatBytes, readRegularFile } from '../io/read-file.js';
import { basename } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export type IdxDataType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly dtype: IdxDataType;
  readonly dims: number[];
  readonly data: IdxData;
}

interface IdxTypeInfo {
  readonly dtype: IdxDataType;
  readonly code: number;
  readonly size: number;
}

const IDX_TYPES: readonly IdxTypeInfo[] = [
  { dtype: 'ubyte', code: 0x08, size: 1 },
  { dtype: 'byte', code: 0x09, size: 1 },
  { dtype: 'short', code: 0x0b, size: 2 },
  { dtype: 'int', code: 0x0c, size: 4 },
  { dtype: 'float', code: 0x0d, size: 4 },
  { dtype: 'double', code: 0x0e, size: 8 },
];

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;
}

const TYPE_LIST = IDX_TYPES.map((type) => `${hex(type.code)} (${type.dtype})`).join(', ');

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

// More than any file this program reads (a Buffer holds at most 4 GiB): a header asking for more
// is damaged, or the file is not IDX at all.
const LARGEST_DATA = 2 ** 32;

// MNIST's files have 1 or 3 dimensions; a header declaring many more is damaged, and listing
// every one would bury the message.
const LISTED_DIMENSIONS = 4;

function shapeText(dims: readonly number[], dtype: IdxDataType): string {
  if (dims.length <= LISTED_DIMENSIONS) return `${dims.join('×')} ${dtype}`;
  return `${dims.length} dimensions (${dims.slice(0, 3).join('×')}×…) of ${dtype}`;
}

// The most a data file (IDX or CSV) may hold, before or after gunzipping: EMNIST's largest set is
// half of it, and the whole file is held in memory.
export const MAX_DATA_FILE_BYTES = 2 ** 30;

/** Reads a file's bytes, gunzipping when the content is gzip; `name` prefixes every error. */
export function readMaybeGzipped(path: string, name: string = basename(path)): Uint8Array {
  const raw = readRegularFile(path, { maxBytes: MAX_DATA_FILE_BYTES, what: 'data file' });
  if (!isGzip(raw)) return raw;
  try {
    // Bounded, so a small gzip bomb cannot fill the memory before anything is checked.
    return gunzipSync(raw, { maxOutputLength: MAX_DATA_FILE_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${name}: the gzip data unpacks to more than the ${formatBytes(MAX_DATA_FILE_BYTES)} a data file may have.`);
    }
    throw new Error(`${name}: the gzip data is corrupt or truncated (${(error as Error).message}).`);
  }
}

/** Reads an IDX file, plain or gzipped. */
export function readIdx(path: string): IdxArray {
  const name = basename(path);
  return parseIdx(readMaybeGzipped(path, name), name);
}

/** Decodes IDX bytes (already gunzipped); `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${name}: expected at least 4 bytes for the IDX magic number, found ${bytes.length}.`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name}: not an IDX file: the magic number starts ${hex(bytes[0]!)} ${hex(bytes[1]!)} but must start 0x00 0x00.`,
    );
  }
  const typeCode = bytes[2]!;
  const type = IDX_TYPES.find((candidate) => candidate.code === typeCode);
  if (type === undefined) {
    throw new Error(`${name}: IDX type code ${hex(typeCode)} is not one of ${TYPE_LIST}.`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new Error(`${name}: the IDX header declares 0 dimensions; at least 1 is needed.`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new Error(
      `${name}: expected at least ${headerLength} bytes for an IDX header with ${rank} dimensions, found ${bytes.length}.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) dims.push(view.getUint32(4 + 4 * axis, false));
  // A zero first: a product that overflowed to Infinity times 0 is NaN.
  const count = dims.includes(0) ? 0 : dims.reduce((product, dimension) => product * dimension, 1);
  if (count * type.size > LARGEST_DATA) {
    const largest = dims.indexOf(Math.max(...dims));
    throw new Error(
      `${name}: IDX dimension ${largest + 1} of ${rank} is ${dims[largest]}, which asks for more than 4 GiB of data: the header is damaged or this is not an IDX file.`,
    );
  }
  const expectedLength = headerLength + count * type.size;
  if (bytes.length !== expectedLength) {
    throw new Error(`${name}: expected ${expectedLength} bytes for ${shapeText(dims, type.dtype)}, found ${bytes.length}.`);
  }
  return { dtype: type.dtype, dims, data: decodeValues(view, headerLength, count, type.dtype) };
}

function decodeValues(view: DataView, offset: number, count: number, dtype: IdxDataType): IdxData {
  // Single bytes are copied out whole so the result owns a compact buffer (not a view into a
  // larger file buffer, which would surprise anyone passing `.buffer` on).
  const start = view.byteOffset + offset;
  switch (dtype) {
    case 'ubyte':
      return new Uint8Array(view.buffer, start, count).slice();
    case 'byte':
      return new Int8Array(view.buffer, start, count).slice();
    case 'short': {
      const out = new Int16Array(count);
      for (let index = 0; index < count; index++) out[index] = view.getInt16(offset + 2 * index, false);
      return out;
    }
    case 'int': {
      const out = new Int32Array(count);
      for (let index = 0; index < count; index++) out[index] = view.getInt32(offset + 4 * index, false);
      return out;
    }
    case 'float': {
      const out = new Float32Array(count);
      for (let index = 0; index < count; index++) out[index] = view.getFloat32(offset + 4 * index, false);
      return out;
    }
    case 'double': {
      const out = new Float64Array(count);
      for (let index = 0; index < count; index++) out[index] = view.getFloat64(offset + 8 * index, false);
      return out;
    }
  }
}

function dtypeOf(data: IdxData): IdxDataType {
  if (data instanceof Uint8Array) return 'ubyte';
  if (data instanceof Int8Array) return 'byte';
  if (data instanceof Int16Array) return 'short';
  if (data instanceof Int32Array) return 'int';
  if (data instanceof Float32Array) return 'float';
  return 'double';
}

/** Encodes values as IDX bytes; the type code follows the typed array's kind. */
export function encodeIdx(dims: readonly number[], data: IdxData): Uint8Array {
  if (dims.length === 0 || dims.length > 255) {
    throw new RangeError(`An IDX array needs 1 to 255 dimensions, not ${dims.length}.`);
  }
  const count = dims.reduce((product, dimension) => product * dimension, 1);
  if (count !== data.length) {
    throw new RangeError(`IDX dimensions ${dims.join('×')} hold ${count} values but the data has ${data.length}.`);
  }
  const type = IDX_TYPES.find((candidate) => candidate.dtype === dtypeOf(data))!;
  const headerLength = 4 + 4 * dims.length;
  const bytes = new Uint8Array(headerLength + count * type.size);
  const view = new DataView(bytes.buffer);
  bytes[2] = type.code;
  bytes[3] = dims.length;
  dims.forEach((dimension, axis) => view.setUint32(4 + 4 * axis, dimension, false));
  if (data instanceof Uint8Array || data instanceof Int8Array) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.length), headerLength);
    return bytes;
  }
  for (let index = 0; index < count; index++) {
    const value = data[index]!;
    const at = headerLength + index * type.size;
    switch (type.dtype) {
      case 'ubyte': view.setUint8(at, value); break;
      case 'byte': view.setInt8(at, value); break;
      case 'short': view.setInt16(at, value, false); break;
      case 'int': view.setInt32(at, value, false); break;
      case 'float': view.setFloat32(at, value, false); break;
      case 'double': view.setFloat64(at, value, false); break;
    }
  }
  return bytes;
}

/** Writes an IDX file, gzipped when the path ends in `.gz`. */
export function writeIdx(path: string, dims: readonly number[], data: IdxData): void {
  const bytes = encodeIdx(dims, data);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}
