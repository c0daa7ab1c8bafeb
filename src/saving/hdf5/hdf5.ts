import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Hdf5Group } from './tree.js';
import { WORKER_SOURCE } from './worker-source.js';

/**
 * HDF5 bytes ⇄ plain trees, synchronously. h5wasm only starts asynchronously (its emscripten
 * factory is an async function: the runtime initializes after an await, so no call made in the
 * same tick can use it), yet Keras users write `model.save('model.h5')` and `loadModel('x.keras')`
 * without await. So h5wasm runs in a worker thread and this thread blocks on Atomics.wait until
 * the worker answers (Node allows that on the main thread), then takes the answer with
 * receiveMessageOnPort. The worker starts on first use (about 0.3 s) and does not keep the
 * process alive. A request that takes too long is abandoned and the worker stopped, so even a
 * file that made HDF5 loop costs bounded time.
 */

interface WorkerHandle {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

type Reply = { ok: true; tree?: Hdf5Group; bytes?: Uint8Array } | { ok: false; message: string; fatal: boolean };

// Loading 4 MB of wasm on a busy 2-core machine can take seconds; a request after that is quick.
const START_TIMEOUT_MS = 120_000;
const BASE_TIMEOUT_MS = 10_000;
const TIMEOUT_MS_PER_MEGABYTE = 200;
const MAX_OBJECTS = 100_000;
const MAX_DEPTH = 32;

let handle: WorkerHandle | undefined;

export class Hdf5Error extends Error {}

/** Reads a whole HDF5 file; everything it holds may cost at most `maxBytes` to read. */
export function readHdf5(bytes: Uint8Array, maxBytes: number): Hdf5Group {
  const reply = request({ op: 'read', bytes, limits: { maxBytes, maxObjects: MAX_OBJECTS, maxDepth: MAX_DEPTH } }, timeoutFor(bytes.length));
  return reply.tree!;
}

/** The bytes of an HDF5 file holding `tree`. */
export function writeHdf5(tree: Hdf5Group): Uint8Array {
  return request({ op: 'write', tree }, BASE_TIMEOUT_MS * 3).bytes!;
}

function timeoutFor(size: number): number {
  return BASE_TIMEOUT_MS + TIMEOUT_MS_PER_MEGABYTE * Math.ceil(size / 1_048_576);
}

function request(message: object, timeoutMs: number): Extract<Reply, { ok: true }> {
  const current = start();
  const reply = exchange(current, message, timeoutMs);
  if (!reply.ok) {
    if (reply.fatal) stop(current);
    throw new Hdf5Error(reply.message);
  }
  return reply;
}

function start(): WorkerHandle {
  if (handle) return handle;
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal, h5wasmUrl: h5wasmEntry() },
    transferList: [port2],
    // Nothing inherited: a loader such as tsx's would talk to this thread while it is blocked.
    execArgv: [],
    // The worker's own stdout/stderr are not the user's: it reports through its port only.
    stdout: true,
    stderr: true,
  });
  worker.unref();
  port1.unref();
  // Not resumed: a flowing stream holds the event loop open, so a command that read a .keras
  // file would never exit. The worker drops what it writes (worker-source.ts).
  // An exit or error is seen by the next request as a timeout or a dead port; nothing to do here.
  worker.on('error', () => undefined);
  const started: WorkerHandle = { worker, port: port1, flag: new Int32Array(signal) };
  handle = started;
  const ready = exchange(started, { op: 'ready' }, START_TIMEOUT_MS);
  if (!ready.ok) {
    stop(started);
    throw new Hdf5Error(`h5wasm could not start (${ready.message})`);
  }
  return started;
}

function exchange(current: WorkerHandle, message: object, timeoutMs: number): Reply {
  Atomics.store(current.flag, 0, 0);
  current.port.postMessage(message);
  const outcome = Atomics.wait(current.flag, 0, 0, timeoutMs);
  const received = receiveMessageOnPort(current.port);
  if (outcome === 'timed-out' || !received) {
    stop(current);
    throw new Hdf5Error(`HDF5 did not finish reading it within ${Math.round(timeoutMs / 1000)} s`);
  }
  return received.message as Reply;
}

function stop(current: WorkerHandle): void {
  if (handle === current) handle = undefined;
  current.port.close();
  void current.worker.terminate();
}

/**
 * Where h5wasm's ES module build is, as a file URL for the worker's import(). Not its Node build:
 * that one's file system is the real one, so the worker's scratch file /in0.h5 was a real file
 * at the root, shared by every digitnet process (two loads at once read each other's bytes; a
 * user who may not write in / could load nothing), and an external link in a file opened real
 * paths. The ES module build keeps its files in memory.
 */
function h5wasmEntry(): string {
  try {
    if (typeof import.meta.resolve === 'function') return import.meta.resolve('h5wasm');
  } catch {
    // A CommonJS bundle has no import.meta: search node_modules as require would.
  }
  const base = typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
  for (const folder of createRequire(base).resolve.paths('h5wasm') ?? []) {
    const candidate = join(folder, 'h5wasm', 'dist', 'esm', 'hdf5_hl.js');
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  throw new Hdf5Error('the h5wasm package is not installed (npm install h5wasm)');
}

/** Stops the HDF5 worker (it is started again on the next use); for test runners and clean exits. */
export function closeHdf5(): void {
  if (handle) stop(handle);
}
