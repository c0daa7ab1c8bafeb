import type { Sequential } from '../../models/sequential.js';
import { encodeOnnx, saveOnnx } from './export.js';
import { loadOnnx } from './import.js';

export { encodeOnnx, saveOnnx, ONNX_OPSET, INPUT_NAME, OUTPUT_NAME } from './export.js';
export { decodeOnnx, loadOnnx, SUPPORTED_OPS, OPSETS } from './import.js';

/** The format's entry for saving/formats.ts. */
export const onnxFormat = {
  name: 'onnx',
  extensions: ['.onnx'],
  save: (model: Sequential, path: string): void => saveOnnx(model, path),
  // Encoding is the check: it refuses what ONNX cannot hold, and costs milliseconds.
  check: (model: Sequential): void => void encodeOnnx(model),
  load: (path: string): Sequential => loadOnnx(path),
} as const;
