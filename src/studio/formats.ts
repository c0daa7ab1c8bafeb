/**
 * The model formats the studio saves and loads, in one place: the page's format list, the
 * workspace listing, and the save, load and download routes all read this. Each entry is one of
 * the library's formats (src/saving/formats.ts), which does the writing and reading; what the
 * studio adds is where the model lives in the workspace: a file, or for TensorFlow.js a folder
 * `NAME.tfjs/` holding model.json and its shards (downloaded as one zip).
 */
import { lstatSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { exportModel, loadModel } from '../saving/formats.js';
import type { Sequential } from '../models/sequential.js';
import { RequestError } from './schemas.js';
import { workspacePath, WorkspaceFileError } from './workspace-files.js';

export interface StudioFormat {
  /** The library's format name (exportModel's { format }). */
  readonly id: string;
  readonly label: string;
  /** What a saved name ends with: a file's extension, or the TensorFlow.js folder's suffix. */
  readonly extension: string;
  /** A file, or a folder in the workspace. */
  readonly kind: 'file' | 'folder';
}

export const STUDIO_FORMATS: readonly StudioFormat[] = [
  { id: 'safetensors', label: 'safetensors (digitnet, with optimizer state)', extension: '.safetensors', kind: 'file' },
  { id: 'keras', label: 'Keras 3 (.keras zip)', extension: '.keras', kind: 'file' },
  { id: 'h5', label: "Keras's legacy HDF5", extension: '.h5', kind: 'file' },
  { id: 'tfjs', label: 'TensorFlow.js (folder with model.json)', extension: '.tfjs', kind: 'folder' },
  { id: 'onnx', label: 'ONNX', extension: '.onnx', kind: 'file' },
];

/** A lone TensorFlow.js model.json in the workspace (its shards beside it) loads too. */
const LOOSE_TFJS_JSON = '.json';
export const FILE_EXTENSIONS = [...STUDIO_FORMATS.filter((format) => format.kind === 'file').map((format) => format.extension), LOOSE_TFJS_JSON];
const FOLDER_SUFFIXES = STUDIO_FORMATS.filter((format) => format.kind === 'folder').map((format) => format.extension);
const ALL_ENDINGS = [...FILE_EXTENSIONS, ...FOLDER_SUFFIXES];

export function formatById(id: string): StudioFormat {
  const format = STUDIO_FORMATS.find((entry) => entry.id === id);
  if (!format) throw new RequestError(400, `format ${JSON.stringify(id)} is unknown: allowed are ${STUDIO_FORMATS.map((known) => known.id).join(', ')}.`);
  return format;
}

/** The name a model saved as `name` in `format` gets: the format's ending added unless it is there. */
export function savedName(name: string, format: StudioFormat): string {
  return name.toLowerCase().endsWith(format.extension) ? name : `${name}${format.extension}`;
}

/** The library's message with the workspace's absolute path replaced by the name the page gave, as one sentence. */
function sentence(error: unknown, path: string, name: string): string {
  const text = (error instanceof Error ? error.message : String(error)).split(path).join(name).replace(/\s+/g, ' ').trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Writes `model` as `name` in the workspace; returns the name written and its size in bytes. */
export async function saveToWorkspace(workspace: string, model: Sequential, name: string, format: StudioFormat): Promise<{ name: string; bytes: number }> {
  const written = savedName(name, format);
  const path = workspacePath(workspace, written, [format.extension]);
  const target = format.kind === 'folder' ? join(path, 'model.json') : path;
  try {
    await exportModel(model, target, { format: format.id });
  } catch (error) {
    throw new RequestError(400, `Cannot save ${written} as ${format.id}: ${sentence(error, path, written).replace(/^[A-Z]/, (first) => first.toLowerCase())}`);
  }
  return { name: written, bytes: sizeOf(path) };
}

/** Reads a model file (or TensorFlow.js folder) of the workspace, in whichever format it is. */
export function loadFromWorkspace(workspace: string, name: string): Sequential {
  const path = workspacePath(workspace, name, ALL_ENDINGS);
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new RequestError(404, `There is no model ${JSON.stringify(name)} in the workspace.`);
  }
  if (isFolder) refuseLinksInside(path, name);
  try {
    return loadModel(path);
  } catch (error) {
    throw new RequestError(400, sentence(error, path, name));
  }
}

/** A TensorFlow.js folder is read file by file: none of them may lead out of the workspace. */
function refuseLinksInside(folder: string, name: string): void {
  for (const entry of readdirSync(folder)) {
    if (lstatSync(join(folder, entry)).isSymbolicLink()) throw new WorkspaceFileError(`Folder ${JSON.stringify(name)} holds a link (${entry}); the studio reads only plain files.`);
  }
}

function sizeOf(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, entry) => total + statSync(join(path, entry)).size, 0);
}

export interface WorkspaceModel {
  name: string;
  format: string;
  kind: 'file' | 'folder';
  bytes: number;
  modified: number;
}

function formatOf(entry: Dirent): StudioFormat | undefined {
  const lower = entry.name.toLowerCase();
  if (entry.isDirectory()) return STUDIO_FORMATS.find((format) => format.kind === 'folder' && lower.endsWith(format.extension));
  if (!entry.isFile()) return undefined;
  if (lower.endsWith(LOOSE_TFJS_JSON)) return formatById('tfjs');
  return STUDIO_FORMATS.find((format) => format.kind === 'file' && lower.endsWith(format.extension));
}

/** The workspace's model files and TensorFlow.js folders, by name. */
export function listWorkspace(workspace: string): WorkspaceModel[] {
  return readdirSync(workspace, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const format = formatOf(entry);
      if (!format) return [];
      const path = join(workspace, entry.name);
      return [{ name: entry.name, format: format.id, kind: entry.isDirectory() ? 'folder' as const : 'file' as const, bytes: sizeOf(path), modified: statSync(path).mtimeMs }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What a download sends: a file as it is, a TensorFlow.js folder as one zip of its files. */
export function downloadable(workspace: string, name: string): { fileName: string; path: string } | { fileName: string; bytes: Uint8Array } {
  const path = workspacePath(workspace, name, ALL_ENDINGS);
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new RequestError(404, `There is no file ${JSON.stringify(name)} in the workspace.`);
  }
  if (!isFolder) return { fileName: name, path };
  refuseLinksInside(path, name);
  const files: Record<string, Uint8Array> = {};
  for (const entry of readdirSync(path)) files[`${name}/${entry}`] = readFileSync(join(path, entry));
  return { fileName: `${name}.zip`, bytes: zipSync(files) };
}
