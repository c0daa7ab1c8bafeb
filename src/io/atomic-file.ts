import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes through a temporary file in the same folder (so the same file system) and renames it
 * into place: readers, and a run interrupted half-way, see the old file or the complete new one,
 * never half of it. Creates the folder if needed.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`Cannot write ${path}: it is a folder; give a file name.`);
  try {
    mkdirSync(dirname(path), { recursive: true });
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
    rmSync(temporary, { force: true });
    throw new Error(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; any file already there is unchanged.`);
  }
}
