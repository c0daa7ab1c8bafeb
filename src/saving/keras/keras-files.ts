import { oneLine } from '../../validation.js';
import { deserializeMetric, type MetricName } from '../../metrics/index.js';
import { statSync } from 'node:fs';
import { readRegularFile } from '../../io/read-file.js';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { CompileConfig, Sequential } from '../../models/sequential.js';
import { lossFrom } from '../../losses/loss-options.js';
import { createOptimizer } from '../../optimizers/index.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { Hdf5Error, readHdf5, writeHdf5 } from '../hdf5/hdf5.js';
import type { Hdf5Group } from '../hdf5/tree.js';
import { kerasModelConfig, KerasFormatError, readKerasModelConfig, type KerasStyle } from './architecture.js';
import { buildModel, storedValues } from './build.js';
import { kerasCompileConfig, kerasTrainingConfig, readKerasCompile } from './compile.js';
import { applyKerasWeights, kerasFirstKernelRows, kerasWeightsTree } from './keras-weights.js';
import { applyLegacyOptimizer, applyLegacyWeights, legacyFirstKernelRows, legacyModelTree, legacyWeightsGroup } from './legacy-h5.js';

/**
 * Keras's three files: `.keras` (Keras 3's zip of metadata.json, config.json and
 * model.weights.h5), legacy `.h5` (the whole model in HDF5) and `.weights.h5` (weights only).
 * Every problem is one sentence naming the file; saving is atomic.
 */

export interface KerasSaveOptions {
  /** Keep the optimizer's state so training a loaded model continues exactly (default true, as Keras). */
  includeOptimizer?: boolean;
}

// The Keras 3 release whose layout these files follow (metadata.json's keras_version).
const KERAS3_FORMAT_VERSION = '3.10.0';
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
// A zip entry may expand to at most this many times the whole zip's size, plus a mebibyte, and
// never past 2 GiB: float32 weights barely compress (about 1.1×), so only a zip bomb comes near.
const MAX_EXPANSION = 16;
const MAX_ENTRY_BYTES = 2 ** 31 - 1;
const MAX_JSON_BYTES = 16 * 1024 * 1024;
// What reading an HDF5 file may cost beyond its own size: metadata and string attributes.
const HDF5_SLACK_BYTES = 1024 * 1024;

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((byte, index) => bytes[index] === byte);
}

export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_MAGIC.every((byte, index) => bytes[index] === byte);
}

function dateSaved(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)}@${iso.slice(11, 19)}`;
}

function includeOptimizer(options: KerasSaveOptions): boolean {
  return options.includeOptimizer ?? true;
}

export function saveKerasFile(model: Sequential, path: string, options: KerasSaveOptions = {}): void {
  const config: Record<string, unknown> = kerasModelConfig(model, 'keras3');
  const compile = model.getCompileConfig();
  if (compile) config.compile_config = kerasCompileConfig(compile);
  const weights = writeHdf5(kerasWeightsTree(model, includeOptimizer(options) && compile !== undefined));
  // Stored, not deflated, as Python's zipfile writes Keras's archives.
  const zip = zipSync(
    {
      'metadata.json': strToU8(JSON.stringify({ keras_version: KERAS3_FORMAT_VERSION, date_saved: dateSaved() })),
      'config.json': strToU8(JSON.stringify(config)),
      'model.weights.h5': weights,
    },
    { level: 0 },
  );
  writeFileAtomic(path, zip);
}

export function saveLegacyH5(model: Sequential, path: string, options: KerasSaveOptions = {}): void {
  const compile = model.getCompileConfig();
  const tree = legacyModelTree(model, kerasModelConfig(model, 'keras2'), compile && kerasTrainingConfig(compile), includeOptimizer(options));
  writeFileAtomic(path, writeHdf5(tree));
}

/** Throws what saveKerasFile (keras3) or saveLegacyH5 (keras2) would refuse this model with, writing nothing. */
export function checkKerasSavable(model: Sequential, style: KerasStyle): void {
  kerasModelConfig(model, style);
  const compile = model.getCompileConfig();
  if (compile) {
    if (style === 'keras3') kerasCompileConfig(compile);
    else kerasTrainingConfig(compile);
  }
}

export function saveKerasWeights(model: Sequential, path: string): void {
  writeFileAtomic(path, writeHdf5(kerasWeightsTree(model, false)));
}

/** Runs a reader and words any problem as one sentence naming the file. */
function reading<Result>(path: string, what: string, read: () => Result): Result {
  try {
    return read();
  } catch (error) {
    // Layer names quoted from a config may hold control characters: the message stays one line.
    const problem = oneLine((error as Error).message.replace(/\.$/, ''));
    if (error instanceof KerasFormatError) throw new Error(`${path} cannot be loaded as ${what}: ${problem}.`);
    if (error instanceof Hdf5Error) throw new Error(`${path} cannot be loaded as ${what}: its HDF5 data is unreadable (${problem}).`);
    throw error;
  }
}

function readBytes(path: string): Uint8Array {
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new KerasFormatError('it is a folder, not a file');
    size = stats.size;
  } catch (error) {
    if (error instanceof KerasFormatError) throw error;
    throw new KerasFormatError(`it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (size > MAX_ENTRY_BYTES) throw new KerasFormatError(`it is ${size} bytes, more than the 2 GiB digitnet reads`);
  // Only a regular file, and only the size fstat gives: a FIFO or /dev/zero named x.keras would
  // otherwise block or be read forever.
  return new Uint8Array(readRegularFile(path, { maxBytes: MAX_ENTRY_BYTES, what: 'Keras file' }));
}

function readTree(bytes: Uint8Array, what: string): Hdf5Group {
  if (!isHdf5(bytes)) throw new KerasFormatError(`${what} does not start with HDF5's signature`);
  return readHdf5(bytes, bytes.length + HDF5_SLACK_BYTES);
}

function parseJson(bytes: Uint8Array | undefined, name: string): unknown {
  if (!bytes) throw new KerasFormatError(`the archive has no ${name}`);
  try {
    return JSON.parse(strFromU8(bytes));
  } catch {
    throw new KerasFormatError(`its ${name} is not JSON`);
  }
}

/** The entries Keras's loader reads, inflated only after their stated sizes pass the limits. */
function unzipKeras(bytes: Uint8Array): Record<string, Uint8Array> {
  if (!isZip(bytes)) throw new KerasFormatError('it is not a zip archive, as a .keras file is');
  const wanted = new Set(['metadata.json', 'config.json', 'model.weights.h5']);
  const limit = Math.min(MAX_ENTRY_BYTES, bytes.length * MAX_EXPANSION + 1024 * 1024);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted.has(file.name)) return false;
        const cap = file.name.endsWith('.json') ? MAX_JSON_BYTES : limit;
        if (file.originalSize > cap) throw new KerasFormatError(`its ${file.name} would expand to ${file.originalSize} bytes, more than the ${cap} allowed for a file of this size`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof KerasFormatError) throw error;
    throw new KerasFormatError(`its zip archive is damaged (${(error as Error).message})`);
  }
  return entries;
}

export function loadKerasFile(path: string): Sequential {
  return reading(path, 'a Keras .keras file', () => {
    const entries = unzipKeras(readBytes(path));
    const config = parseJson(entries['config.json'], 'config.json') as Record<string, unknown>;
    const architecture = readKerasModelConfig(config);
    const weightsBytes = entries['model.weights.h5'];
    if (!weightsBytes) throw new KerasFormatError('the archive has no model.weights.h5');
    const tree = readTree(weightsBytes, 'its model.weights.h5');
    const rows = architecture.inputShapeKnown ? undefined : kerasFirstKernelRows(tree);
    const model = buildModel(architecture.config, rows === undefined ? undefined : [rows], storedValues(tree));
    const compile = readKerasCompile(config.compile_config);
    compileIfPossible(model, compile);
    applyKerasWeights(model, tree);
    return model;
  });
}

export function loadLegacyH5(path: string): Sequential {
  return reading(path, 'a Keras .h5 file', () => {
    const tree = readTree(readBytes(path), 'it');
    const modelConfig = tree.attributes.model_config;
    if (typeof modelConfig !== 'string') {
      throw new KerasFormatError('it holds no model_config, so it is a weights-only file: build the model, then call model.loadWeights on it');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(modelConfig);
    } catch {
      throw new KerasFormatError('its model_config is not JSON');
    }
    const architecture = readKerasModelConfig(parsed);
    const weights = tree.children.get('model_weights');
    if (!weights || weights.kind !== 'group') throw new KerasFormatError('it has no model_weights group');
    const rows = architecture.inputShapeKnown ? undefined : legacyFirstKernelRows(weights);
    const model = buildModel(architecture.config, rows === undefined ? undefined : [rows], storedValues(tree));
    const trainingConfig = tree.attributes.training_config;
    let compile;
    if (typeof trainingConfig === 'string') {
      try {
        compile = readKerasCompile(JSON.parse(trainingConfig));
      } catch {
        throw new KerasFormatError('its training_config is not JSON');
      }
    }
    compileIfPossible(model, compile);
    applyLegacyWeights(model, weights);
    applyLegacyOptimizer(model, tree);
    return model;
  });
}

/**
 * Compiles with the file's settings when digitnet can train that way; a model whose loss does not
 * fit (cross-entropy after a sigmoid, say) loads uncompiled, as with Keras's compile=False.
 */
function compileIfPossible(model: Sequential, compile: CompileConfig | undefined): void {
  if (!compile) return;
  try {
    model.compile({ optimizer: createOptimizer(compile.optimizer.name, compile.optimizer.config), loss: lossFrom(compile.loss, compile.lossOptions), metrics: compile.metrics.map((metric) => (typeof metric === 'string' ? (metric as MetricName) : deserializeMetric(metric))) });
  } catch {
    // Left uncompiled: the weights and predictions are the file's either way.
  }
}

/** Keras's load_weights: a .weights.h5 (Keras 3), a legacy .h5 (whole model or weights only) or a .keras file. */
export function loadWeightsInto(model: Sequential, path: string): void {
  reading(path, 'Keras weights', () => {
    const bytes = readBytes(path);
    const tree = isZip(bytes) ? readTree(unzipKeras(bytes)['model.weights.h5'] ?? new Uint8Array(), 'its model.weights.h5') : readTree(bytes, 'it');
    const legacy = tree.children.get('model_weights');
    if (legacy?.kind === 'group') applyLegacyWeights(model, legacy);
    else if (tree.attributes.layer_names !== undefined || tree.attributes.layer_names0 !== undefined) applyLegacyWeights(model, tree);
    else applyKerasWeights(model, tree);
  });
}

/** Keras 2's save_weights('x.h5') layout, for weights-only legacy files. */
export function saveLegacyWeights(model: Sequential, path: string): void {
  writeFileAtomic(path, writeHdf5(legacyWeightsGroup(model)));
}
