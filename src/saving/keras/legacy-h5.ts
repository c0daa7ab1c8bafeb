import type { Sequential } from '../../models/sequential.js';
import { ensureGroup, newGroup, putDataset, type Hdf5AttributeValue, type Hdf5Group, type MutableHdf5Group } from '../hdf5/tree.js';
import { KerasFormatError } from './architecture.js';
import { scalarValue, weightValues } from './build.js';
import { INTERLEAVED_SLOTS } from './keras-weights.js';

/**
 * Keras's legacy HDF5 layout (Keras 2's saving/legacy/hdf5_format.py, kept by Keras 3 as
 * legacy_h5_format.py). A whole model: root attributes keras_version, backend, model_config and
 * training_config (JSON), a group model_weights whose layer_names attribute lists the layers, each
 * layer's group listing its weight_names, and optimizer_weights. A weights-only file
 * (save_weights('x.h5')) is the model_weights group itself at the root.
 *
 * Where the weights sit differs between writers: Keras 2 at <layer>/<layer>/kernel:0, Keras 3 at
 * <layer>/<model>/<layer>/kernel. So the reader follows each layer's weight_names rather than
 * guessing a path, and matches layers with weights by their order, as Keras does.
 */

// The layout written here is Keras 2.15's; Keras reads keras_version to decide weight conversions.
export const LEGACY_KERAS_VERSION = '2.15.0';
// Keras's legacy loader converts kernels for other backends (theano); TensorFlow's layout is the one used.
const BACKEND = 'tensorflow';
// Keras 2.11+'s short names for each optimizer's slots (its add_variable_from_reference names).
const SLOT_NAMES: Record<string, Record<string, string>> = {
  adam: { momentum: 'm', velocity: 'v', velocity_hat: 'vhat' },
  adamw: { momentum: 'm', velocity: 'v', velocity_hat: 'vhat' },
  nadam: { momentum: 'm', velocity: 'v' },
  adamax: { momentum: 'm', norm: 'u' },
  adagrad: { accumulator: 'accumulator' },
  lion: { momentum: 'm' },
  rmsprop: { velocity: 'velocity', momentum: 'momentum' },
  sgd: { momentum: 'm' },
};
const OPTIMIZER_CLASSES: Record<string, string> = { adam: 'Adam', adamw: 'AdamW', nadam: 'Nadam', adamax: 'Adamax', adagrad: 'Adagrad', lion: 'Lion', rmsprop: 'RMSprop', sgd: 'SGD' };

/** The model_weights group (or a weights-only file's root). */
export function legacyWeightsGroup(model: Sequential, group: MutableHdf5Group = newGroup()): MutableHdf5Group {
  group.attributes.layer_names = model.layers.map((layer) => layer.name);
  group.attributes.backend = BACKEND;
  group.attributes.keras_version = LEGACY_KERAS_VERSION;
  for (const layer of model.layers) {
    const layerGroup = ensureGroup(group, layer.name);
    layerGroup.attributes.weight_names = layer.variables.map((weight) => `${weight.name}:0`);
    for (const weight of layer.variables) putDataset(layerGroup, `${weight.name}:0`, weight.shape, weight.values);
  }
  ensureGroup(group, 'top_level_model_weights').attributes.weight_names = [];
  return group;
}

/** A whole model in the legacy layout. */
export function legacyModelTree(model: Sequential, modelConfig: object, trainingConfig: object | undefined, includeOptimizer: boolean): MutableHdf5Group {
  const root = newGroup({ keras_version: LEGACY_KERAS_VERSION, backend: BACKEND, model_config: JSON.stringify(modelConfig) });
  if (trainingConfig) root.attributes.training_config = JSON.stringify(trainingConfig);
  legacyWeightsGroup(model, ensureGroup(root, 'model_weights'));
  const optimizer = model.optimizer;
  if (includeOptimizer && trainingConfig && optimizer?.isBuiltFor(model.weights)) {
    // Keras 2.11+'s optimizers: iteration:0, then the slots in the order build() makes them, which
    // is the order Keras's loader hands them back in: Adam's m and v weight by weight
    // (Adam/m/dense/kernel:0, Adam/v/dense/kernel:0, ...), RMSprop's velocities of every weight and
    // then its momentums (keras 2.15 optimizers/adam.py and rmsprop.py).
    const group = ensureGroup(root, 'optimizer_weights');
    const names: string[] = ['iteration:0'];
    putDataset(group, 'iteration:0', [], Float64Array.of(optimizer.iterations), 'int64');
    const slots = Object.entries(SLOT_NAMES[optimizer.name] ?? {});
    const byName = new Map(optimizer.stateBuffers().map((buffer) => [buffer.name, buffer]));
    // The Adam family builds its two moments together; amsgrad's velocity_hat comes after them all.
    const interleaved = INTERLEAVED_SLOTS[optimizer.name] ?? [];
    const paired = slots.filter(([slot]) => interleaved.includes(slot));
    const separate = slots.filter((slot) => !paired.includes(slot));
    const order = [
      ...model.weights.flatMap((weight) => paired.map((slot) => ({ weight, slot }))),
      ...separate.flatMap((slot) => model.weights.map((weight) => ({ weight, slot }))),
    ];
    for (const { weight, slot: [slot, short] } of order) {
      const buffer = byName.get(`${weight.name}/${slot}`);
      if (!buffer) continue;
      const name = `${OPTIMIZER_CLASSES[optimizer.name]}/${short}/${weight.name}:0`;
      names.push(name);
      putDataset(group, name, buffer.shape, buffer.values);
    }
    group.attributes.weight_names = names;
  }
  return root;
}

/** An attribute Keras may have split in chunks (name0, name1, ...) when it outgrew HDF5's 64 KB header. */
export function stringListAttribute(group: Hdf5Group, name: string): string[] | undefined {
  const read = (value: Hdf5AttributeValue | undefined): string[] | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    // An empty list is stored as an empty float array.
    return value.every((item) => typeof item === 'string') ? (value as string[]) : value.length === 0 ? [] : undefined;
  };
  const whole = read(group.attributes[name]);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let index = 0; group.attributes[`${name}${index}`] !== undefined; index++) chunks.push(...(read(group.attributes[`${name}${index}`]) ?? []));
  return chunks.length > 0 ? chunks : undefined;
}

interface StoredLayer {
  name: string;
  group: Hdf5Group;
  weightNames: string[];
}

/** The layers of a model_weights group that hold weights, in the file's order. */
export function storedLayers(group: Hdf5Group): StoredLayer[] {
  const layerNames = stringListAttribute(group, 'layer_names');
  if (!layerNames) throw new KerasFormatError('its weights have no layer_names attribute');
  const layers: StoredLayer[] = [];
  for (const name of layerNames) {
    const layerGroup = group.children.get(name);
    if (!layerGroup || layerGroup.kind !== 'group') throw new KerasFormatError(`layer_names lists "${name}" but the file has no group for it`);
    const weightNames = stringListAttribute(layerGroup, 'weight_names');
    if (!weightNames) throw new KerasFormatError(`layer "${name}" has no weight_names attribute`);
    if (weightNames.length > 0) layers.push({ name, group: layerGroup, weightNames });
  }
  return layers;
}

function datasetAt(group: Hdf5Group, path: string): ReturnType<Hdf5Group['children']['get']> {
  let node: Hdf5Group | ReturnType<Hdf5Group['children']['get']> = group;
  for (const part of path.split('/')) {
    if (!node || node.kind !== 'group') return undefined;
    node = node.children.get(part);
  }
  return node as ReturnType<Hdf5Group['children']['get']>;
}

/** The rows of the first stored kernel, for a file that gives no input shape. */
export function legacyFirstKernelRows(group: Hdf5Group): number | undefined {
  const first = storedLayers(group)[0];
  const kernel = first ? datasetAt(first.group, first.weightNames[0]!) : undefined;
  return kernel?.kind === 'dataset' && kernel.shape.length === 2 ? kernel.shape[0] : undefined;
}

/** Copies the weights of a model_weights group into the model, layer by layer in order. */
export function applyLegacyWeights(model: Sequential, group: Hdf5Group): void {
  const stored = storedLayers(group);
  const layers = model.layers.filter((layer) => layer.variables.length > 0);
  if (stored.length !== layers.length) {
    throw new KerasFormatError(`it holds weights for ${stored.length} layers but the model has ${layers.length} layers with weights`);
  }
  layers.forEach((layer, index) => {
    const { name, group: layerGroup, weightNames } = stored[index]!;
    if (weightNames.length !== layer.variables.length) {
      throw new KerasFormatError(`layer "${name}" stores ${weightNames.length} weights where layer "${layer.name}" has ${layer.variables.length}`);
    }
    layer.variables.forEach((weight, position) => {
      const weightName = weightNames[position]!;
      weight.values.set(weightValues(datasetAt(layerGroup, weightName), `${name}/${weightName}`, weight.shape));
    });
  });
}

/**
 * Restores the optimizer's state from optimizer_weights when its names say which weight and slot
 * each value belongs to (Keras 2.11+'s Adam/m/dense/kernel:0, Keras 2's Adam/dense/kernel/m:0,
 * Keras 3's adam/sequential_dense_kernel_momentum); otherwise, as Keras, it is left fresh.
 */
export function applyLegacyOptimizer(model: Sequential, root: Hdf5Group): void {
  const optimizer = model.optimizer;
  const group = root.children.get('optimizer_weights');
  if (!optimizer || !group || group.kind !== 'group') return;
  const names = stringListAttribute(group, 'weight_names');
  if (!names || names.length < 2) return;
  optimizer.build(model.weights);
  const buffers = optimizer.stateBuffers();
  const short = SLOT_NAMES[optimizer.name] ?? {};
  const aliases = (slot: string): string[] => [...new Set([slot, short[slot] ?? slot, ...(slot === 'velocity' ? ['rms'] : [])])];
  const matches = (stored: string, weight: string, slot: string): boolean => {
    const bare = stored.replace(/:0$/, '');
    const [layer, kind] = weight.split('/') as [string, string];
    return aliases(slot).some(
      (alias) => bare.endsWith(`/${alias}/${layer}/${kind}`) || bare.endsWith(`/${layer}/${kind}/${alias}`) || bare.endsWith(`_${layer}_${kind}_${slot}`) || bare.endsWith(`/${layer}_${kind}_${slot}`),
    );
  };
  const found = buffers.map((buffer) => {
    const slot = buffer.name.slice(buffer.name.lastIndexOf('/') + 1);
    const weight = buffer.name.slice(0, buffer.name.lastIndexOf('/'));
    return names.find((stored) => matches(stored, weight, slot));
  });
  const iterationName = names.find((name) => /(^|\/)iter(ation)?(s)?(:0)?$/.test(name));
  if (found.some((name) => name === undefined) || !iterationName) return;
  buffers.forEach((buffer, index) => buffer.values.set(weightValues(datasetAt(group, found[index]!), `optimizer_weights/${found[index]}`, buffer.shape)));
  const iterations = scalarValue(datasetAt(group, iterationName), `optimizer_weights/${iterationName}`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new KerasFormatError(`optimizer_weights/${iterationName} is ${iterations}`);
  optimizer.iterations = iterations;
}
