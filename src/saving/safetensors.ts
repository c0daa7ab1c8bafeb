import { readRegularFile } from '../io/read-file.js';
import { oneLine } from '../validation.js';

/**
 * The safetensors layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
 * little-endian data. Only float32 tensors are written or accepted here.
 */
export interface NamedTensor {
  name: string;
  shape: readonly number[];
  values: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

const HEADER_LENGTH_BYTES = 8;
// A header this large cannot come from a model of ours; refusing it bounds what a bad file can make us allocate.
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = tensor.values.length * 4;
    header[tensor.name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  // Padding the header with spaces to a multiple of 8 keeps the data aligned for zero-copy readers.
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const file = Buffer.alloc(HEADER_LENGTH_BYTES + headerBytes.length + offset);
  file.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(file, HEADER_LENGTH_BYTES);
  let position = HEADER_LENGTH_BYTES + headerBytes.length;
  for (const tensor of tensors) {
    for (let i = 0; i < tensor.values.length; i++, position += 4) file.writeFloatLE(tensor.values[i]!, position);
  }
  return file;
}

/** Parses and checks every length, offset, dtype and shape; `source` names the file in errors. */
export function decodeSafetensors(file: Buffer, source: string): SafetensorsFile {
  const fail = (problem: string): never => {
    throw new Error(`${source} is not a valid model file: ${problem}.`);
  };
  if (file.length < HEADER_LENGTH_BYTES) fail(`it is ${file.length} bytes long, shorter than the 8-byte header length`);
  const headerLength = file.readBigUInt64LE(0);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, file.length - HEADER_LENGTH_BYTES))) {
    // Another kind of file (a JSON run file, a PNG) starts with bytes that read as an absurd length.
    const kind = headerLength > BigInt(file.length) ? ' (it does not start as a .safetensors file does: is it another kind of file?)' : '';
    fail(`its header claims ${headerLength} bytes but the file has ${file.length - HEADER_LENGTH_BYTES} after the length${kind}`);
  }
  const dataStart = HEADER_LENGTH_BYTES + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(file.toString('utf8', HEADER_LENGTH_BYTES, dataStart));
  } catch (error) {
    fail(`its header is not JSON (${oneLine((error as Error).message)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('its header is not a JSON object');
  const entries = header as Record<string, unknown>;
  const dataLength = file.length - dataStart;
  const metadata: Record<string, string> = {};
  const rawMetadata = entries.__metadata__;
  if (rawMetadata !== undefined) {
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) fail('__metadata__ is not an object of strings');
    for (const [key, value] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`__metadata__.${key} is not a string`);
      metadata[key] = value as string;
    }
  }
  const ranges: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (name === '__metadata__') continue;
    if (typeof entry !== 'object' || entry === null) fail(`tensor "${name}" is not described by an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (dtype !== 'F32') fail(`tensor "${name}" has dtype ${JSON.stringify(dtype)}; only F32 is supported`);
    if (!Array.isArray(shape) || !shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
      fail(`tensor "${name}" has shape ${JSON.stringify(shape)}; it must be a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)) {
      fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; they must be two non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((product, dimension) => product * dimension, 1);
    if (end! < begin! || end! > dataLength) fail(`tensor "${name}" spans bytes ${begin}..${end} outside the ${dataLength} data bytes`);
    if (end! - begin! !== count * 4) fail(`tensor "${name}" of shape [${(shape as number[]).join(', ')}] needs ${count * 4} bytes but spans ${end! - begin!}`);
    ranges.push({ name, begin: begin!, end: end!, shape: shape as number[] });
  }
  // The format requires the tensors to tile the data exactly: no overlap, no hole, nothing after.
  const ordered = [...ranges].sort((a, b) => a.begin - b.begin);
  let expected = 0;
  for (const range of ordered) {
    if (range.begin !== expected) fail(`tensor "${range.name}" starts at byte ${range.begin} where ${expected} was expected (overlap or gap)`);
    expected = range.end;
  }
  if (expected !== dataLength) fail(`the tensors cover ${expected} bytes but ${dataLength} follow the header`);
  const tensors = ranges.map((range) => {
    const values = new Float32Array((range.end - range.begin) / 4);
    for (let i = 0; i < values.length; i++) values[i] = file.readFloatLE(dataStart + range.begin + i * 4);
    return { name: range.name, shape: range.shape, values };
  });
  return { tensors, metadata };
}

// Beyond any model the 65,536-unit cap allows with its optimizer state; the file is read into memory whole.
export const MAX_MODEL_FILE_BYTES = 2 ** 31;

export function readSafetensors(path: string): SafetensorsFile {
  const file = readRegularFile(path, { maxBytes: MAX_MODEL_FILE_BYTES, what: 'model file', missing: `Model file ${path} does not exist.` });
  return decodeSafetensors(file, path);
}
