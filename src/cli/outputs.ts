/** Checks of output paths, made before any work so that a long run cannot fail at its end. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file to write: its folder must exist, and the path must not be a folder. */
export function checkOutputFile(path: string, option: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new Error(`${option} ${path} cannot be written: the folder ${folder} does not exist.`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${option} ${path} is a folder; give a file name.`);
}

/** A folder to write into, created if missing: neither it nor the nearest existing parent may be a file. */
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
}
