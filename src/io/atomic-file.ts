import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Creates a folder and its missing parents one by one. Node's recursive mkdir loops forever where
 * a parent refuses new entries with ENOENT (under /proc or /sys); one level at a time fails at once.
 */
export function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let current = resolve(path); !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  if (missing.length === 0 && !statSync(path).isDirectory()) {
    throw Object.assign(new Error(`${path} is a file, not a folder`), { code: 'ENOTDIR' });
  }
  for (const folder of missing.reverse()) mkdirSync(folder);
}

/**
 * Writes through a temporary file in the same folder (so the same file system) and renames it
 * into place: readers, and a run interrupted half-way, see the old file or the complete new one,
 * never half of it. Creates the folder if needed.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`Cannot write ${path}: it is a folder; give a file name.`);
  try {
    makeFolders(dirname(path));
  } catch (error) {
    throw new Error(`Cannot write ${path}: its folder ${dirname(path)} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const descriptor = openSync(temporary, 'w');
    try {
      writeFileSync(descriptor, contents);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was created where it cannot be removed; the first error is the one to report.
    }
    throw new Error(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; any file already there is unchanged.`);
  }
}
