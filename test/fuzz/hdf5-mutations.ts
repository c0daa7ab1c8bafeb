/**
 * Structure-aware mutations of HDF5 files for the Keras fuzz plugins (.h5, .weights.h5, the
 * model.weights.h5 inside a .keras): a member removed, renamed or duplicated, a dataset retyped
 * (float64, int32, int64, strings), reshaped, or declared huge (a chunked dataset resized to
 * billions of values that the file does not store), attributes dropped or replaced, and links
 * that loop or lead outside the file. A bit flip rarely gets past HDF5's checksums and B-trees;
 * these reach the Keras readers' own checks.
 *
 * It writes with h5wasm's browser build, whose files live in memory (the Node build's are real
 * files), in this process, after `startHdf5Mutations()`.
 */
import * as h5wasm from 'h5wasm';
import type { Random } from '../../src/random/rng.js';
import type { Hdf5AttributeValue, Hdf5Dataset, Hdf5Group } from '../../src/saving/hdf5/tree.js';

export type FuzzDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'string';

export interface FuzzDataset {
  kind: 'dataset';
  dtype: FuzzDtype;
  shape: number[];
  values: Float64Array;
  /** A shape the dataset is resized to after writing: declared, never stored. */
  declaredShape?: number[];
}

export interface FuzzLink {
  kind: 'hard link' | 'soft link' | 'external link';
  target: string;
  file?: string;
}

export interface FuzzGroup {
  kind: 'group';
  attributes: Record<string, Hdf5AttributeValue>;
  children: Map<string, FuzzGroup | FuzzDataset | FuzzLink>;
}

let filesystem: NonNullable<typeof h5wasm.FS> | undefined;
let counter = 0;

export async function startHdf5Mutations(): Promise<void> {
  await h5wasm.ready;
  filesystem = h5wasm.FS!;
}

/** An editable copy of a tree read by src/saving/hdf5/hdf5.ts. */
export function fromTree(group: Hdf5Group): FuzzGroup {
  const children = new Map<string, FuzzGroup | FuzzDataset | FuzzLink>();
  for (const [name, child] of group.children) {
    children.set(name, child.kind === 'group' ? fromTree(child) : fromDataset(child));
  }
  return { kind: 'group', attributes: structuredClone({ ...group.attributes }), children };
}

function fromDataset(dataset: Hdf5Dataset): FuzzDataset {
  const dtype: FuzzDtype = dataset.dtype === 'float64' || dataset.dtype === 'int64' || dataset.dtype === 'int32' ? dataset.dtype : 'float32';
  return { kind: 'dataset', dtype, shape: [...dataset.shape], values: Float64Array.from(dataset.values ?? []) };
}

const size = (shape: readonly number[]): number => shape.reduce((product, dimension) => product * dimension, 1);

function writeAttributes(entity: h5wasm.Group | h5wasm.Dataset, attributes: Record<string, Hdf5AttributeValue>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'string') entity.create_attribute(name, value);
    else if (value.length === 0) entity.create_attribute(name, new Float64Array(0), [0], '<d');
    else if (typeof value[0] === 'string') entity.create_attribute(name, value as string[], [value.length]);
    else entity.create_attribute(name, Float64Array.from(value as number[]), [value.length], '<d');
  }
}

function writeDataset(group: h5wasm.Group, name: string, dataset: FuzzDataset): void {
  const count = size(dataset.shape);
  const values = Float64Array.from({ length: count }, (_, index) => dataset.values[index % Math.max(1, dataset.values.length)] ?? 0.5);
  const chunked = dataset.declaredShape ? { maxshape: dataset.shape.map(() => null), chunks: dataset.shape.map((dimension) => Math.max(1, dimension)) } : {};
  let written: h5wasm.Dataset;
  switch (dataset.dtype) {
    case 'string':
      written = group.create_dataset({ name, data: Array.from(values, (value) => String(value)), shape: dataset.shape, ...chunked });
      break;
    case 'int32':
      written = group.create_dataset({ name, data: Int32Array.from(values, Math.round), shape: dataset.shape, dtype: '<i', ...chunked });
      break;
    case 'int64':
      written = group.create_dataset({ name, data: BigInt64Array.from(values, (value) => BigInt(Math.round(value))), shape: dataset.shape, dtype: '<q', ...chunked });
      break;
    default:
      written = group.create_dataset({ name, data: dataset.dtype === 'float64' ? values : Float32Array.from(values), shape: dataset.shape, dtype: dataset.dtype === 'float64' ? '<d' : '<f', ...chunked });
  }
  if (dataset.declaredShape) written.resize(dataset.declaredShape);
}

function writeGroup(group: h5wasm.Group, tree: FuzzGroup, links: Array<() => void>): void {
  writeAttributes(group, tree.attributes);
  for (const [name, child] of tree.children) {
    if (child.kind === 'group') writeGroup(group.create_group(name), child, links);
    else if (child.kind === 'dataset') writeDataset(group, name, child);
    // Links last: their targets must exist first.
    else if (child.kind === 'hard link') links.push(() => group.create_hard_link(child.target, name));
    else if (child.kind === 'soft link') links.push(() => group.create_soft_link(child.target, name));
    else links.push(() => group.create_external_link(child.file ?? '/dev/zero', child.target, name));
  }
}

/** The bytes of an HDF5 file holding `tree`. */
export function writeTree(tree: FuzzGroup): Uint8Array {
  if (!filesystem) throw new Error('startHdf5Mutations() was not awaited.');
  const path = `/fuzz-${counter++}.h5`;
  const file = new h5wasm.File(path, 'w');
  try {
    const links: Array<() => void> = [];
    writeGroup(file, tree, links);
    for (const link of links) link();
    file.flush();
  } finally {
    file.close();
  }
  try {
    return Uint8Array.from(filesystem.readFile(path));
  } finally {
    filesystem.unlink(path);
  }
}

/** Every member with its parent and path, the root excluded. */
function members(group: FuzzGroup, prefix = ''): Array<{ parent: FuzzGroup; name: string; path: string }> {
  return [...group.children].flatMap(([name, child]) => [{ parent: group, name, path: `${prefix}/${name}` }, ...(child.kind === 'group' ? members(child, `${prefix}/${name}`) : [])]);
}

function groups(group: FuzzGroup): FuzzGroup[] {
  return [group, ...[...group.children.values()].flatMap((child) => (child.kind === 'group' ? groups(child) : []))];
}

function pick<Item>(items: readonly Item[], random: Random): Item | undefined {
  return items.length === 0 ? undefined : items[random.nextInt(items.length)];
}

const HUGE_SHAPES = [[4294967296], [65536, 65536], [2 ** 40], [100000, 100000]];
const NEW_NAMES = ['x', '__proto__', 'constructor', '0', '1', '9', 'vars', 'kernel:0', '', 'dense_1'];

/** One structural edit of `tree` (edited in place); says what it did. */
export function mutateTree(tree: FuzzGroup, random: Random): string {
  const all = members(tree);
  const datasets = all.filter(({ parent, name }) => parent.children.get(name)!.kind === 'dataset');
  const edits = ['remove', 'rename', 'duplicate', 'retype', 'reshape', 'huge', 'attribute', 'link'] as const;
  const edit = edits[random.nextInt(edits.length)]!;
  const member = pick(all, random);
  const dataset = pick(datasets, random);
  switch (edit) {
    case 'remove':
      if (member) member.parent.children.delete(member.name);
      return `removed ${member?.path}`;
    case 'rename': {
      if (!member) return 'nothing to rename';
      const child = member.parent.children.get(member.name)!;
      const name = pick(NEW_NAMES, random) || 'y';
      member.parent.children.delete(member.name);
      member.parent.children.set(name, child);
      return `renamed ${member.path} to ${name}`;
    }
    case 'duplicate': {
      if (!member) return 'nothing to duplicate';
      member.parent.children.set(`${member.name}_copy`, structuredClone(member.parent.children.get(member.name)!));
      return `duplicated ${member.path}`;
    }
    case 'retype': {
      if (!dataset) return 'no dataset';
      const target = dataset.parent.children.get(dataset.name) as FuzzDataset;
      target.dtype = pick(['float64', 'int32', 'int64', 'string'] as const, random)!;
      return `made ${dataset.path} ${target.dtype}`;
    }
    case 'reshape': {
      if (!dataset) return 'no dataset';
      const target = dataset.parent.children.get(dataset.name) as FuzzDataset;
      const shapes = [[...target.shape].reverse(), [...target.shape, 1], target.shape.slice(1), [size(target.shape)], target.shape.map((dimension) => dimension * 2), [], [0]];
      target.shape = pick(shapes, random)!;
      return `reshaped ${dataset.path} to [${target.shape.join(', ')}]`;
    }
    case 'huge': {
      if (!dataset) return 'no dataset';
      const target = dataset.parent.children.get(dataset.name) as FuzzDataset;
      const declared = pick(HUGE_SHAPES, random)!;
      if (target.shape.length !== declared.length) target.shape = declared.map(() => 1);
      if (target.dtype === 'string') target.dtype = 'float32';
      target.declaredShape = declared;
      return `declared ${dataset.path} as [${declared.join(', ')}]`;
    }
    case 'attribute': {
      const group = pick(groups(tree), random)!;
      const names = Object.keys(group.attributes);
      const name = pick(names, random) ?? 'layer_names';
      const values: Hdf5AttributeValue[] = [[], [1, 2, 3], 'x'.repeat(200_000), ['__proto__'], [''], '{"class_name": "Sequential", "config": {"layers": []}}', 'not json'];
      if (random.nextFloat() < 0.3) delete group.attributes[name];
      else group.attributes[name] = pick(values, random)!;
      return `changed attribute ${name}`;
    }
    case 'link': {
      const group = pick(groups(tree), random)!;
      const linkName = pick([...group.children.keys()], random) ?? 'loop';
      const kind = pick(['hard link', 'soft link', 'external link'] as const, random)!;
      // A hard link to the root makes a cycle; a soft link to itself, a loop; an external link, another file.
      group.children.set(linkName, { kind, target: kind === 'soft link' ? `/${linkName}` : '/', file: '/dev/zero' });
      return `made ${linkName} a ${kind}`;
    }
  }
}

/** A whole new file: the tree of `original` with one structural edit (the unchanged file if it cannot be written). */
export function mutateHdf5(original: FuzzGroup, random: Random): Uint8Array {
  const tree = structuredClone(original);
  mutateTree(tree, random);
  try {
    return writeTree(tree);
  } catch {
    // HDF5 refused to write that edit (a name it does not allow, say): a second edit instead.
    const again = structuredClone(original);
    mutateTree(again, random);
    try {
      return writeTree(again);
    } catch {
      return writeTree(original);
    }
  }
}
