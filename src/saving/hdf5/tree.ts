/**
 * An HDF5 file as plain data: groups holding attributes, groups and datasets. The Keras readers
 * and writers work on this tree only; src/saving/hdf5/hdf5.ts turns it into bytes and back with
 * HDF5's own C library (h5wasm), so no HDF5 parsing happens here.
 */

/** An attribute's value: a string, a list of strings, or numbers (a scalar is a one-element list). */
export type Hdf5AttributeValue = string | string[] | number[];

export interface Hdf5Dataset {
  readonly kind: 'dataset';
  /** numpy's name of the stored type: 'float32', 'float64', 'int64', 'uint8', ...; 'other' when not a number. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** float32 data stays Float32Array; other numeric types arrive as Float64Array; null when not numeric. */
  readonly values: Float32Array | Float64Array | null;
  readonly attributes: Readonly<Record<string, Hdf5AttributeValue>>;
}

export interface Hdf5Group {
  readonly kind: 'group';
  readonly attributes: Readonly<Record<string, Hdf5AttributeValue>>;
  /** In the order the writer should create them (HDF5 itself lists members by name). */
  readonly children: ReadonlyMap<string, Hdf5Group | Hdf5Dataset>;
}

/** A group being built for writing: children and attributes can be added. */
export interface MutableHdf5Group extends Hdf5Group {
  readonly attributes: Record<string, Hdf5AttributeValue>;
  readonly children: Map<string, MutableHdf5Group | Hdf5Dataset>;
}

export function newGroup(attributes: Record<string, Hdf5AttributeValue> = {}): MutableHdf5Group {
  return { kind: 'group', attributes, children: new Map() };
}

/** The group at `path` ("a/b/c"), creating the missing ones. */
export function ensureGroup(root: MutableHdf5Group, path: string): MutableHdf5Group {
  let group = root;
  for (const part of path.split('/').filter((segment) => segment.length > 0)) {
    let child = group.children.get(part);
    if (!child) {
      child = newGroup();
      group.children.set(part, child);
    }
    if (child.kind !== 'group') throw new Error(`HDF5 path ${path} passes through dataset ${part}.`);
    group = child;
  }
  return group;
}

/** Puts a dataset at `path`, creating its parent groups. */
export function putDataset(root: MutableHdf5Group, path: string, shape: readonly number[], values: Float32Array | Float64Array, dtype: 'float32' | 'float64' | 'int64' = 'float32'): void {
  const parts = path.split('/').filter((segment) => segment.length > 0);
  const name = parts.pop()!;
  ensureGroup(root, parts.join('/')).children.set(name, { kind: 'dataset', dtype, shape: [...shape], values, attributes: {} });
}

/** The member at `path` ("a/b/c"), or undefined. */
export function lookup(root: Hdf5Group, path: string): Hdf5Group | Hdf5Dataset | undefined {
  let node: Hdf5Group | Hdf5Dataset = root;
  for (const part of path.split('/').filter((segment) => segment.length > 0)) {
    if (node.kind !== 'group') return undefined;
    const child: Hdf5Group | Hdf5Dataset | undefined = node.children.get(part);
    if (!child) return undefined;
    node = child;
  }
  return node;
}
