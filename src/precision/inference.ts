/**
 * int8 inference over a model's dense layers (model.quantize('int8'), predict(x, { precision })):
 * each Dense layer of at least MINIMUM_INT8_UNITS units gets an int8 copy of its kernel beside the
 * float32 one; while a prediction runs in int8 those layers multiply on it.
 */
import type { Engine } from '../engine/engine.js';
import { Dense } from '../layers/dense.js';
import type { Layer } from '../layers/layer.js';

export const INFERENCE_PRECISIONS = ['float32', 'int8'] as const;
export type InferencePrecision = (typeof INFERENCE_PRECISIONS)[number];

/**
 * Layers narrower than one kernel panel (16 columns), such as the 10-class output, stay float32:
 * their product is under 1% of an MNIST model's work, and quantizing their input costs more than
 * the int8 product saves (measured: 10,000 × 512 → 10 took 2.3× longer in int8).
 */
export const MINIMUM_INT8_UNITS = 16;

function int8Layers(layers: readonly Layer[]): Dense[] {
  return layers.filter((layer): layer is Dense => layer instanceof Dense && layer.units >= MINIMUM_INT8_UNITS);
}

/** Quantizes every eligible dense layer's kernel (again, if it was already); returns how many. */
export function quantizeLayers(layers: readonly Layer[], engine: Engine): number {
  const chosen = int8Layers(layers);
  for (const layer of chosen) layer.quantizeKernel(engine);
  return chosen.length;
}

export function isQuantized(layers: readonly Layer[]): boolean {
  const chosen = int8Layers(layers);
  return chosen.length > 0 && chosen.every((layer) => layer.int8Kernel !== null);
}

/** Forgets the int8 copies (after the float32 weights change). */
export function dropQuantization(layers: readonly Layer[]): void {
  for (const layer of int8Layers(layers)) layer.int8Kernel = null;
}

/**
 * Runs body with the dense layers computing in `precision` (default: int8 when the model is
 * quantized, else float32). int8 on a model that is not quantized uses copies made for this call.
 */
export function withInferencePrecision<T>(layers: readonly Layer[], engine: Engine, precision: InferencePrecision | undefined, body: () => T): T {
  const resolved = precision ?? (isQuantized(layers) ? 'int8' : 'float32');
  if (resolved === 'float32') return body();
  const chosen = int8Layers(layers);
  const temporary = chosen.filter((layer) => layer.int8Kernel === null);
  for (const layer of temporary) layer.quantizeKernel(engine);
  for (const layer of chosen) layer.int8Active = true;
  try {
    return body();
  } finally {
    for (const layer of chosen) layer.int8Active = false;
    for (const layer of temporary) layer.int8Kernel = null;
  }
}
