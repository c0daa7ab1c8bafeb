/**
 * The HDF5 worker's code, as a string for `new Worker(source, { eval: true })`: a string survives
 * every build (tsc, tsx, an esbuild bundle) where a worker file beside this one might not. It runs
 * h5wasm (HDF5's C library compiled to wasm) on the bytes it is sent and answers with plain data
 * (see tree.ts), so a malformed file can at worst make it throw or be stopped, never crash us.
 *
 * Its files (the bytes it is sent, the file it writes) live in h5wasm's in-memory file system,
 * never on disk, so processes cannot meet there and a file's external links lead nowhere.
 *
 * It limits what a file can make it allocate: every dataset's and attribute's bytes are counted
 * against a budget the caller sets from the file's own size before anything is read, and the walk
 * stops after a bounded number of objects and depth (hard links can form cycles).
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { workerData } = require('node:worker_threads');
const { port, signal, h5wasmUrl } = workerData;
const flag = new Int32Array(signal);
// HDF5 prints its error stack to stderr: keep it as the reason instead.
let diagnostics = [];
console.error = (...parts) => { diagnostics.push(parts.join(' ')); if (diagnostics.length > 200) diagnostics.shift(); };
console.warn = console.error;
console.log = console.error;
// Anything written to the streams directly is dropped here, so the main thread never reads (or holds) it.
process.stdout.write = () => true;
process.stderr.write = () => true;
// The files live in h5wasm's in-memory file system (see hdf5.ts); each still gets a name of its
// own, so that a request never meets a file another request left behind.
const { randomUUID } = require('node:crypto');
const scratch = (kind) => '/digitnet-' + randomUUID() + '-' + kind + '.h5';
const loading = import(h5wasmUrl).then(async (h5) => {
  await h5.ready;
  // HDF5 then throws its error stack as a JS error instead of printing it to stderr.
  h5.Module.activate_throwing_error_handler();
  return h5;
});

function answer(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function reason(error) {
  // The innermost HDF5 message ("file signature not found") says most; else the JS error.
  const text = error && error.message ? error.message : String(error);
  const lines = (text + '\n' + diagnostics.join('\n')).split('\n');
  let detail = '';
  for (const line of lines) {
    const match = /#\d+: .* in [A-Za-z0-9_]+\(\): (.*)$/.exec(line.trim());
    if (match) detail = match[1];
  }
  return detail || text.split('\n')[0];
}

function readFile(h5, bytes, limits) {
  const path = scratch('in');
  h5.FS.writeFile(path, bytes);
  let file;
  try {
    file = new h5.File(path, 'r');
    if (typeof file.file_id === 'bigint' ? file.file_id < 0n : file.file_id < 0) throw new Error('not an HDF5 file');
    const state = { objects: 0, bytes: 0, limits, h5 };
    return readGroup(file, state, 0);
  } finally {
    try { if (file) file.close(); } catch (error) { /* the read error is the one to report */ }
    try { h5.FS.unlink(path); } catch (error) { /* nothing to remove */ }
  }
}

function spend(state, bytes, what) {
  state.bytes += bytes;
  if (!(state.bytes <= state.limits.maxBytes)) {
    throw new Error(what + ' would need ' + bytes + ' bytes, more than a file of this size can hold');
  }
}

function readAttributes(entity, state) {
  const attributes = {};
  const all = entity.attrs;
  for (const name of Object.keys(all)) {
    const attribute = all[name];
    const metadata = attribute.metadata;
    spend(state, Number(metadata.size) * Number(metadata.total_size), 'attribute ' + name);
    if (metadata.type !== 0 && metadata.type !== 1 && metadata.type !== 3) continue;
    let value = attribute.json_value;
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') value = [Number(value)];
    else if (Array.isArray(value)) value = value.flat(Infinity).map((item) => (typeof item === 'string' ? item : Number(item)));
    else if (typeof value !== 'string') continue;
    attributes[name] = value;
  }
  return attributes;
}

function readGroup(group, state, depth) {
  if (depth > state.limits.maxDepth) throw new Error('groups are nested more than ' + state.limits.maxDepth + ' deep');
  const attributes = readAttributes(group, state);
  const children = new Map();
  for (const name of group.keys()) {
    if (++state.objects > state.limits.maxObjects) throw new Error('it has more than ' + state.limits.maxObjects + ' groups and datasets');
    const child = group.get(name);
    if (!child) continue;
    if (child instanceof state.h5.Group) children.set(name, readGroup(child, state, depth + 1));
    else if (child instanceof state.h5.Dataset) children.set(name, readDataset(name, child, state));
  }
  return { kind: 'group', attributes, children };
}

function readDataset(name, dataset, state) {
  const metadata = dataset.metadata;
  const shape = (metadata.shape || []).map(Number);
  const attributes = readAttributes(dataset, state);
  const numeric = (metadata.type === 0 || metadata.type === 1) && !metadata.vlen && metadata.size <= 8;
  const dtype = !numeric ? 'other' : (metadata.type === 1 ? 'float' : metadata.signed ? 'int' : 'uint') + metadata.size * 8;
  if (!numeric) return { kind: 'dataset', dtype, shape, values: null, attributes };
  spend(state, Number(metadata.size) * Number(metadata.total_size), 'dataset ' + name + ' of shape [' + shape.join(', ') + ']');
  const raw = dataset.value;
  let values;
  const single = dtype === 'float32';
  if (raw instanceof Float32Array && single) values = raw;
  else if (raw && typeof raw.length === 'number') values = (single ? Float32Array : Float64Array).from(raw, (item) => Number(item));
  else values = (single ? Float32Array : Float64Array).of(Number(raw));
  return { kind: 'dataset', dtype, shape, values, attributes };
}

function writeFile(h5, tree) {
  const path = scratch('out');
  try {
    const file = new h5.File(path, 'w');
    try {
      writeGroup(file, tree);
      file.flush();
    } finally {
      file.close();
    }
    return h5.FS.readFile(path);
  } finally {
    // Also after a failed write, so that the memory is given back.
    try { h5.FS.unlink(path); } catch (error) { /* never created */ }
  }
}

function writeAttributes(entity, attributes) {
  for (const name of Object.keys(attributes)) {
    const value = attributes[name];
    if (typeof value === 'string') entity.create_attribute(name, value);
    else if (value.length === 0) entity.create_attribute(name, new Float64Array(0), [0], '<d');
    else if (typeof value[0] === 'string') entity.create_attribute(name, value, [value.length]);
    else entity.create_attribute(name, Float64Array.from(value), [value.length], '<d');
  }
}

function writeGroup(group, tree) {
  writeAttributes(group, tree.attributes);
  for (const [name, child] of tree.children) {
    if (child.kind === 'group') {
      writeGroup(group.create_group(name), child);
    } else {
      const dataset = child.dtype === 'int64'
        ? group.create_dataset({ name, data: BigInt64Array.from(child.values, (item) => BigInt(Math.round(item))), shape: child.shape, dtype: '<q' })
        : group.create_dataset({ name, data: child.values, shape: child.shape, dtype: child.dtype === 'float64' ? '<d' : '<f' });
      writeAttributes(dataset, child.attributes);
    }
  }
}

port.on('message', async (request) => {
  diagnostics = [];
  try {
    const h5 = await loading;
    if (request.op === 'ready') return answer({ ok: true });
    if (request.op === 'read') {
      return answer({ ok: true, tree: readFile(h5, request.bytes, Object.assign({}, request.limits)) });
    }
    if (request.op === 'write') return answer({ ok: true, bytes: writeFile(h5, request.tree) });
    answer({ ok: false, message: 'unknown request', fatal: false });
  } catch (error) {
    // After a wasm trap the module's memory cannot be trusted: the caller starts a new worker.
    const fatal = error instanceof WebAssembly.RuntimeError || /abort/i.test(String(error && error.message));
    answer({ ok: false, message: reason(error), fatal });
  }
});
`;
