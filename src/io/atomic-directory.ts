import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeFolders } from './atomic-file.js';

export interface DirectoryFile {
  name: string;
  contents: string | Uint8Array;
}

/**
 * Whether writing `path` would replace a folder (true) or make a new one (false); throws the
 * sentence writeDirectoryAtomic would when it may not be written at all. Nothing is changed.
 */
export function checkDirectoryReplaceable(path: string, isReplaceable: (entries: string[], path: string) => boolean, what: string): boolean {
  const target = resolve(path);
  if (!existsSync(target)) return false;
  if (!lstatSync(target).isDirectory()) throw new Error(`Cannot write ${path}: it is a file, and ${what} is a folder; give a folder name.`);
  const entries = readdirSync(target);
  if (entries.length > 0 && !isReplaceable(entries, target)) {
    throw new Error(`Cannot write ${path}: the folder holds files that are not an earlier ${what} (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); give an empty or new folder.`);
  }
  return true;
}

/**
 * Writes a folder of files so that it appears complete or not at all: the files go into a
 * temporary folder beside the target (same file system), which is then renamed into place.
 *
 * An existing target is replaced only when it is empty or when `isReplaceable(entries)` says it
 * holds nothing but an earlier export of the same kind; anything else is refused, so a user's
 * folder is never deleted. Replacing renames the old folder aside first and removes it only once
 * the new one is in place, so an interrupted run leaves the old export or the new one.
 */
export function writeDirectoryAtomic(path: string, files: readonly DirectoryFile[], isReplaceable: (entries: string[], path: string) => boolean, what: string): void {
  const target = resolve(path);
  const replacing = checkDirectoryReplaceable(path, isReplaceable, what);
  const parent = dirname(target);
  try {
    makeFolders(parent);
  } catch (error) {
    throw new Error(`Cannot write ${path}: its folder ${parent} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const temporary = join(parent, `.${basename(target)}.${suffix}.tmp`);
  const previous = join(parent, `.${basename(target)}.${suffix}.old`);
  try {
    mkdirSync(temporary);
    for (const file of files) {
      const descriptor = openSync(join(temporary, file.name), 'w');
      try {
        writeFileSync(descriptor, file.contents);
        fsyncSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
    }
    if (replacing) renameSync(target, previous);
    try {
      renameSync(temporary, target);
    } catch (error) {
      if (replacing) renameSync(previous, target);
      throw error;
    }
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; any folder already there is unchanged.`);
  }
  // The new export is in place; failing to tidy the old one away must not report the save as failed.
  if (replacing) rmSync(previous, { recursive: true, force: true });
}
