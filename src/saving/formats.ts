import { closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registerModelSaving, type Sequential } from '../models/sequential.js';
import { checkKerasSavable, isHdf5, isZip, loadKerasFile, loadLegacyH5, loadWeightsInto, saveKerasFile, saveKerasWeights, saveLegacyH5, saveLegacyWeights } from './keras/keras-files.js';
import { onnxFormat } from './onnx/onnx-format.js';
import { tfjsFormat } from './tfjs/tfjs-format.js';
import { loadModel as loadSafetensors, saveModel as saveSafetensors, type SaveOptions } from './model-file.js';

/**
 * The one place that maps a file to its format. Saving follows the file name, as in Keras
 * (`model.save('model.h5')` writes legacy HDF5, `'digits.keras'` Keras 3's zip); loading follows
 * the first bytes when they identify a format (a zip, an HDF5 file), else the name. Each format is
 * one entry of FORMATS; a format reached only through exportModel may save asynchronously.
 */
export interface ModelFormat {
  /** What --format and exportModel's { format } take. */
  readonly name: string;
  /** File name endings, longest first within the table (".weights.h5" before ".h5"). */
  readonly extensions: readonly string[];
  readonly description: string;
  /** Whether this file's first bytes are this format's (checked before the name when loading). */
  readonly sniff?: (head: Uint8Array) => boolean;
  readonly save?: (model: Sequential, path: string, options: SaveOptions) => void | Promise<void>;
  /** Throws the sentence save would refuse this model or path with, writing nothing: a long training checks its file first. */
  readonly check?: (model: Sequential, path: string) => void;
  readonly load?: (path: string) => Sequential;
  readonly saveWeights?: (model: Sequential, path: string) => void;
  readonly loadWeights?: (model: Sequential, path: string) => void;
}

export const FORMATS: ModelFormat[] = [
  { name: 'safetensors', extensions: ['.safetensors'], description: "digitnet's own (the default)", save: saveSafetensors, load: loadSafetensors },
  { name: 'keras', extensions: ['.keras'], description: 'Keras 3', sniff: isZip, save: saveKerasFile, check: (model) => checkKerasSavable(model, 'keras3'), load: loadKerasFile, loadWeights: loadWeightsInto },
  { name: 'weights-h5', extensions: ['.weights.h5'], description: "Keras 3's weights only", saveWeights: saveKerasWeights, loadWeights: loadWeightsInto },
  {
    name: 'h5',
    extensions: ['.h5', '.hdf5'],
    description: "Keras's legacy HDF5",
    sniff: isHdf5,
    save: saveLegacyH5,
    check: (model) => checkKerasSavable(model, 'keras2'),
    load: loadLegacyH5,
    saveWeights: saveLegacyWeights,
    loadWeights: loadWeightsInto,
  },
  { ...tfjsFormat, description: "TensorFlow.js's layers format (model.json and its weight shards)" },
  { ...onnxFormat, description: 'ONNX' },
];

/** Adds a format (TensorFlow.js, ONNX, ...): one entry, consulted by everything below. */
export function registerFormat(format: ModelFormat): void {
  const existing = FORMATS.findIndex((entry) => entry.name === format.name);
  if (existing >= 0) FORMATS.splice(existing, 1, format);
  else FORMATS.push(format);
}

function byExtension(path: string): ModelFormat | undefined {
  const lower = path.toLowerCase();
  const matches = FORMATS.flatMap((format) => format.extensions.filter((extension) => lower.endsWith(extension)).map((extension) => ({ format, extension })));
  matches.sort((a, b) => b.extension.length - a.extension.length);
  return matches[0]?.format;
}

function allowed(can: (format: ModelFormat) => boolean): string {
  return FORMATS.filter(can)
    .map((format) => `${format.extensions.join(' or ')} (${format.description})`)
    .join(', ');
}

/** The format named by --format or { format }, or one sentence listing the names. */
export function formatNamed(name: string): ModelFormat {
  const format = FORMATS.find((entry) => entry.name === name.toLowerCase());
  if (!format) throw new Error(`Unknown format "${name}": allowed are ${FORMATS.map((entry) => entry.name).join(', ')}.`);
  return format;
}

/** The format a file to be written is in, from its name. */
export function formatForSaving(path: string, can: (format: ModelFormat) => boolean = (format) => format.save !== undefined): ModelFormat {
  const format = byExtension(path);
  if (!format || !can(format)) {
    throw new Error(`Cannot tell the format of ${path} from its name: end it with ${allowed(can)}.`);
  }
  return format;
}

function head(path: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let descriptor: number | undefined;
  try {
    // O_NONBLOCK: a FIFO would otherwise wait here for a writer forever, before any reader's checks.
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const read = readSync(descriptor, bytes, 0, bytes.length, 0);
    return bytes.subarray(0, read);
  } catch {
    // A folder or missing file: the format's own reader says so in its words.
    return new Uint8Array();
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** The format of a file to be read: its first bytes when they say, else its name. */
export function formatForLoading(path: string, can: (format: ModelFormat) => boolean = (format) => format.load !== undefined): ModelFormat {
  const first = head(path);
  const sniffed = FORMATS.find((format) => can(format) && format.sniff?.(first));
  if (sniffed) return sniffed;
  const named = byExtension(path);
  if (named && can(named)) return named;
  // digitnet's own format has no signature: a file named otherwise is read as one, and its reader
  // says what is wrong in its words (as before there were other formats).
  if (!named && can(FORMATS[0]!)) return FORMATS[0]!;
  throw new Error(`Cannot tell the format of ${path}: digitnet reads ${allowed(can)}.`);
}

/** Keras's model.save: the format follows the file name; the file appears complete or not at all. */
export function saveModel(model: Sequential, path: string, options: SaveOptions = {}): void {
  const format = savingFormat(path);
  const result = format.save!(model, path, options);
  if (result instanceof Promise) {
    // An asynchronous writer cannot finish inside a synchronous save.
    void result.catch(() => undefined);
    throw new Error(`${format.name} files are written asynchronously: use await exportModel(model, '${path}', { format: '${format.name}' }).`);
  }
}

/**
 * Throws the sentence saveModel(model, path) would refuse with for the model or the file's
 * format (not for the disk, which only writing can tell), writing nothing.
 */
export function checkSavable(model: Sequential, path: string): void {
  savingFormat(path).check?.(model, path);
}

/** The format saveModel writes `path` in; a folder is refused. */
function savingFormat(path: string): ModelFormat {
  if (isFolder(path)) throw new Error(`Cannot write ${path}: it is a folder; give a file name.`);
  return formatForSaving(path);
}

/** Keras's load_model for any format digitnet reads. */
export function loadModel(path: string): Sequential {
  // A TensorFlow.js export is a folder: its model.json says the rest.
  const folderModel = join(path, 'model.json');
  if (isFolder(path) && existsSync(folderModel)) return formatNamed('tfjs').load!(folderModel);
  return formatForLoading(path).load!(path);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface ExportOptions extends SaveOptions {
  /** A format name (safetensors, keras, h5, ...); without it, the file name decides. */
  format?: string;
}

/** Writes the model in another format; formats that need to write asynchronously can. */
export async function exportModel(model: Sequential, path: string, options: ExportOptions = {}): Promise<void> {
  const { format: name, ...saveOptions } = options;
  const format = name === undefined ? formatForSaving(path) : formatNamed(name);
  if (!format.save) throw new Error(`The ${format.name} format holds weights only: use model.saveWeights('${path}').`);
  await format.save(model, path, saveOptions);
}

/** Keras's save_weights: `.weights.h5` (Keras 3's layout) or `.h5` (Keras 2's). */
export function saveWeights(model: Sequential, path: string): void {
  formatForSaving(path, (format) => format.saveWeights !== undefined).saveWeights!(model, path);
}

/** Keras's load_weights into a model of the same architecture. */
export function loadWeights(model: Sequential, path: string): void {
  formatForLoading(path, (format) => format.loadWeights !== undefined).loadWeights!(model, path);
}

registerModelSaving({ save: saveModel, saveWeights, loadWeights });
