/** Checks of output paths, made before any work so that a long run cannot fail at its end. */
import { accessSync, closeSync, constants, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Sequential } from '../models/sequential.js';
import { errorCodePhrase } from '../validation.js';
import { UsageError } from './errors.js';

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates, writes and removes a small file in `folder`: the access bits say nothing of a
 * read-only mount, a full disk, or a folder such as /proc that refuses new files even for root,
 * and a training of many minutes should not learn that only when it saves.
 */
function probeFolder(folder: string, option: string, path: string): void {
  const probe = join(folder, `.digitnet-write-check.${process.pid}.tmp`);
  try {
    const descriptor = openSync(probe, 'wx');
    try {
      writeSync(descriptor, 'digitnet checks that this folder takes new files\n');
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    rmSync(probe, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT for a folder that exists: it refuses new entries (/proc, /sys).
    const reason = code === 'ENOENT' ? 'it takes no new files' : errorCodePhrase(code, (error as Error).message);
    throw new Error(`${option} ${path} cannot be written: a test file could not be created in ${folder} (${reason}).`);
  }
  rmSync(probe, { force: true });
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
  probeFolder(folder, option, path);
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
  probeFolder(current, option, path);
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

/**
 * Saves the model to `path`, or, when that fails (a full disk, a folder that vanished), beside the
 * working directory or in the temporary folder, so that a finished training is not lost. Returns
 * where it went, or null; what failed is added to `problems`, naming the fallback.
 */
export function saveWithFallback(model: Sequential, path: string, problems: string[]): string | null {
  try {
    model.save(path);
    return path;
  } catch (error) {
    const first = (error as Error).message.replace(/\.$/, '');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    // digitnet's own format: it holds every model, and it is one file (a TensorFlow.js export would need a folder of its own).
    const name = `digitnet-unsaved-${stamp}-${process.pid}.safetensors`;
    const reasons: string[] = [];
    for (const folder of [process.cwd(), tmpdir()]) {
      const fallback = join(folder, name);
      try {
        model.save(fallback);
        problems.push(`${first}. The trained model was saved to ${fallback} instead.`);
        return fallback;
      } catch (fallbackError) {
        reasons.push(`${folder}: ${(fallbackError as Error).message.replace(/^Cannot write [^:]*: /, '').replace(/; any file already there is unchanged\.$/, '')}`);
      }
    }
    problems.push(`${first}. The trained model could not be saved elsewhere either (${reasons.join('; ')}), so it is lost.`);
    return null;
  }
}
