import type { Hdf5Dataset, Hdf5Group } from '../hdf5/tree.js';
import { Sequential, type ModelConfig } from '../../models/sequential.js';
import { KerasFormatError } from './architecture.js';

/**
 * What reading any Keras file shares: building the model only once the file is known to hold
 * enough numbers for it (so a config claiming a huge layer costs nothing), and checking each
 * stored weight's dtype, shape and values before copying it.
 */

// As `digitnet train` allows: wider layers are not what this library is for.
export const LARGEST_LAYER = 65536;

const fail = (problem: string): never => {
  throw new KerasFormatError(problem);
};

/** How many float values the file's datasets hold in all. */
export function storedValues(group: Hdf5Group): number {
  let total = 0;
  for (const child of group.children.values()) total += child.kind === 'group' ? storedValues(child) : (child.values?.length ?? 0);
  return total;
}

/** Builds the model from its config once its size is checked against what the file stores. */
export function buildModel(config: ModelConfig, inputShape: readonly number[] | undefined, available: number): Sequential {
  const shape = inputShape ?? config.inputShape;
  if (!shape) fail('it gives no input shape and has no Dense kernel to take one from');
  let width = shape!.reduce((product, dimension) => product * dimension, 1);
  if (!(width <= LARGEST_LAYER * LARGEST_LAYER)) fail(`its input shape [${shape!.join(', ')}] is larger than digitnet reads`);
  let parameters = 0;
  for (const layer of config.layers) {
    if (layer.className !== 'Dense') continue;
    const units = layer.config.units as number;
    if (units > LARGEST_LAYER) fail(`its layer "${String(layer.config.name)}" has ${units} units, more than the ${LARGEST_LAYER} digitnet allows`);
    parameters += width * units + (layer.config.useBias === false ? 0 : units);
    width = units;
  }
  if (parameters > available) fail(`its config describes ${parameters} weights but the file stores only ${available} numbers`);
  try {
    // Keras's InputLayer becomes the first layer's inputShape, as digitnet's models declare it.
    const [first, ...rest] = config.layers;
    const layers = [{ className: first!.className, config: { ...first!.config, inputShape: [...shape!] } }, ...rest];
    return Sequential.fromConfig({ ...config, layers, inputShape: [...shape!] });
  } catch (error) {
    return fail(`its model config does not build (${(error as Error).message.replace(/\.$/, '')})`);
  }
}

/** The values of a stored weight, checked against the shape the model needs. */
export function weightValues(dataset: Hdf5Group | Hdf5Dataset | undefined, where: string, shape: readonly number[]): Float32Array {
  if (!dataset) return fail(`it has no weight at ${where}`);
  if (dataset.kind !== 'dataset') return fail(`${where} is a group, not a weight`);
  if (dataset.dtype !== 'float32' || !(dataset.values instanceof Float32Array)) return fail(`weight ${where} is ${dataset.dtype}, not float32`);
  if (dataset.shape.length !== shape.length || dataset.shape.some((dimension, index) => dimension !== shape[index])) {
    return fail(`weight ${where} has shape [${dataset.shape.join(', ')}] where the model needs [${shape.join(', ')}]`);
  }
  const values = dataset.values;
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index]!)) return fail(`weight ${where} holds ${values[index]} at index ${index}`);
  }
  return values;
}

/** A scalar such as the optimizer's iteration count. */
export function scalarValue(dataset: Hdf5Group | Hdf5Dataset | undefined, where: string): number {
  if (!dataset || dataset.kind !== 'dataset' || !dataset.values || dataset.values.length !== 1 || dataset.shape.length !== 0) return fail(`${where} is not a scalar`);
  const value = dataset.values[0]!;
  if (!Number.isFinite(value)) return fail(`${where} holds ${value}`);
  return value;
}
