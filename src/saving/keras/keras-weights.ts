import type { Layer } from '../../layers/layer.js';
import type { Sequential } from '../../models/sequential.js';
import type { Optimizer } from '../../optimizers/index.js';
import type { OptimizerStateBuffer } from '../../optimizers/optimizer.js';
import { ensureGroup, lookup, newGroup, putDataset, type Hdf5Group, type MutableHdf5Group } from '../hdf5/tree.js';
import { KerasFormatError } from './architecture.js';
import { scalarValue, weightValues } from './build.js';

/**
 * Keras 3's weights layout (saving_lib.py's H5IOStore), used inside a `.keras` zip as
 * model.weights.h5 and alone as NAME.weights.h5: each layer's variables at
 * layers/<layer>/vars/0, 1, ... where <layer> is the snake_case class name numbered in order
 * (dense, dense_1, dropout, ...: Keras avoids layer names, which vary between runs), an empty
 * group for layers without weights, the model's own "vars", and the optimizer's variables at
 * optimizer/vars/<i>: iteration, learning rate, then its slots in Keras's order.
 */

/** Keras's path for each layer: the class name in snake_case, _1, _2, ... for repeats. */
export function kerasLayerPaths(layers: readonly Layer[]): string[] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    const base = layer.className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const count = used.get(base);
    used.set(base, (count ?? -1) + 1);
    return count === undefined ? base : `${base}_${count + 1}`;
  });
}

/**
 * The optimizer's state in Keras 3's variable order: the Adam family interleaves each weight's two
 * moments (add_optimizer_variables with two names), and Adam's velocity_hat (amsgrad) follows them
 * all; RMSprop, SGD, Adagrad and Lion list one slot for every weight, then the next — which is the
 * order stateBuffers() already has.
 */
export const INTERLEAVED_SLOTS: Readonly<Record<string, readonly string[]>> = {
  adam: ['momentum', 'velocity'],
  adamw: ['momentum', 'velocity'],
  nadam: ['momentum', 'velocity'],
  adamax: ['momentum', 'norm'],
};

export function kerasOptimizerBuffers(optimizer: Optimizer, weights: Sequential['weights']): OptimizerStateBuffer[] {
  const buffers = optimizer.stateBuffers();
  const interleaved = INTERLEAVED_SLOTS[optimizer.name];
  if (!interleaved) return buffers;
  const byName = new Map(buffers.map((buffer) => [buffer.name, buffer]));
  const paired = weights.flatMap((weight) => interleaved.map((slot) => byName.get(`${weight.name}/${slot}`)!));
  const rest = buffers.filter((buffer) => !interleaved.some((slot) => buffer.name.endsWith(`/${slot}`)));
  return [...paired, ...rest];
}

/** Keras 3 keeps a fixed learning rate as optimizer/vars/1; a schedule is not a variable, so the slots start at 1. */
function firstSlotIndex(optimizer: Optimizer): number {
  return optimizer.schedule ? 1 : 2;
}

export function kerasWeightsTree(model: Sequential, includeOptimizer: boolean): MutableHdf5Group {
  const root = newGroup();
  const paths = kerasLayerPaths(model.layers);
  model.layers.forEach((layer, index) => {
    const vars = ensureGroup(root, `layers/${paths[index]}/vars`);
    vars.attributes.name = layer.name;
    layer.variables.forEach((weight, position) => putDataset(root, `layers/${paths[index]}/vars/${position}`, weight.shape, weight.values));
  });
  const optimizer = model.optimizer;
  if (includeOptimizer && optimizer && model.loss) {
    const vars = ensureGroup(root, 'optimizer/vars');
    vars.attributes.name = optimizer.name;
    putDataset(root, 'optimizer/vars/0', [], Float64Array.of(optimizer.iterations), 'int64');
    const first = firstSlotIndex(optimizer);
    if (!optimizer.schedule) putDataset(root, 'optimizer/vars/1', [], Float32Array.of(optimizer.learningRate));
    // An optimizer that has not trained yet has no slots, as in Keras before the first step.
    if (optimizer.isBuiltFor(model.weights)) {
      kerasOptimizerBuffers(optimizer, model.weights).forEach((buffer, index) => putDataset(root, `optimizer/vars/${index + first}`, buffer.shape, buffer.values));
    }
  }
  ensureGroup(root, 'vars').attributes.name = model.name;
  return root;
}

function varsGroup(root: Hdf5Group, path: string): Hdf5Group | undefined {
  // Files written by Keras 2.13's Keras 3 preview named the layers' folder _layer_checkpoint_dependencies.
  const found = lookup(root, `${path}/vars`) ?? lookup(root, `${path.replace(/^layers\//, '_layer_checkpoint_dependencies/')}/vars`);
  return found?.kind === 'group' ? found : undefined;
}

/** The first Dense kernel's rows, for a file that gives no input shape. */
export function kerasFirstKernelRows(root: Hdf5Group): number | undefined {
  const kernel = lookup(root, 'layers/dense/vars/0');
  return kernel?.kind === 'dataset' && kernel.shape.length === 2 ? kernel.shape[0] : undefined;
}

/** Copies every layer's weights (and the optimizer's state, when it matches) from the tree into the model. */
export function applyKerasWeights(model: Sequential, root: Hdf5Group): void {
  const paths = kerasLayerPaths(model.layers);
  model.layers.forEach((layer, index) => {
    const path = `layers/${paths[index]}`;
    const vars = varsGroup(root, path);
    if (layer.variables.length === 0) return;
    if (!vars) throw new KerasFormatError(`it has no weights for layer "${layer.name}" (no ${path}/vars)`);
    if (vars.children.size !== layer.variables.length) {
      throw new KerasFormatError(`${path}/vars holds ${vars.children.size} weights where layer "${layer.name}" has ${layer.variables.length}`);
    }
    layer.variables.forEach((weight, position) => weight.values.set(weightValues(vars.children.get(String(position)), `${path}/vars/${position}`, weight.shape)));
  });
  const optimizer = model.optimizer;
  const vars = varsGroup(root, 'optimizer');
  if (!optimizer) return;
  const first = firstSlotIndex(optimizer);
  if (!vars || vars.children.size <= first) return;
  optimizer.build(model.weights);
  const buffers = kerasOptimizerBuffers(optimizer, model.weights);
  // As Keras: an optimizer saved with other variables than this one has is not restored.
  if (vars.children.size !== buffers.length + first) return;
  const iterations = scalarValue(vars.children.get('0'), 'optimizer/vars/0');
  if (!Number.isInteger(iterations) || iterations < 0) throw new KerasFormatError(`optimizer/vars/0 (the iteration count) is ${iterations}`);
  const learningRate = optimizer.schedule ? 0 : scalarValue(vars.children.get('1'), 'optimizer/vars/1');
  buffers.forEach((buffer, index) => buffer.values.set(weightValues(vars.children.get(String(index + first)), `optimizer/vars/${index + first}`, buffer.shape)));
  optimizer.iterations = iterations;
  // Keras keeps the rate as float32: only a rate changed after compile (not 0.001 rounded) is taken.
  if (learningRate > 0 && learningRate !== Math.fround(optimizer.learningRate)) optimizer.learningRate = learningRate;
}
