/** Checks of output paths, made before any work so that a long run cannot fail at its end. */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file to write: its folder must exist and take new files, and the path must not be a folder. */
export function checkOutputFile(path: string, option: string): void {
  if (path.endsWith('/') || path.endsWith(sep) || (existsSync(path) && statSync(path).isDirectory())) {
    throw new Error(`${option} ${path} is a folder; give a file name.`);
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(`${option} ${path} cannot be written: the folder ${folder} does not exist.`);
  }
  if (!writable(folder)) throw new Error(`${option} ${path} cannot be written: this user may not write in the folder ${folder}.`);
}

/**
 * A folder to write into, created if missing: neither it nor the nearest existing parent may be a
 * file, and that one must take new entries.
 */
export function checkOutputFolder(path: string, option: string): void {
  let current = resolve(path);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
  if (!statSync(current).isDirectory()) {
    throw new Error(`${option} ${path} cannot be created: ${current} is a file, not a folder.`);
  }
  if (!writable(current)) throw new Error(`${option} ${path} cannot be written: this user may not write in ${current}.`);
}

/** Two options may not name the same file: the second write would replace the first. */
export function checkDistinctOutputs(outputs: readonly { option: string; path: string | null | undefined }[]): void {
  const seen = new Map<string, string>();
  for (const { option, path } of outputs) {
    if (!path) continue;
    const key = resolve(path);
    const earlier = seen.get(key);
    if (earlier) throw new UsageError(`${earlier} and ${option} both name ${path}: give them different files.`);
    seen.set(key, option);
  }
}
