/**
 * File names given by the page stay inside the workspace: a plain name (no folders, no `..`, not
 * absolute), and the real path of an existing file (symlinks resolved) still inside it.
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/;

export class WorkspaceFileError extends Error {}

export function ensureWorkspace(directory: string): string {
  mkdirSync(directory, { recursive: true });
  return realpathSync(directory);
}

/** The absolute path of `name` in the workspace, or a WorkspaceFileError saying why not. */
export function workspacePath(workspace: string, name: string, extensions: readonly string[]): string {
  if (isAbsolute(name) || name.includes('/') || name.includes('\\')) {
    throw new WorkspaceFileError(`File name ${JSON.stringify(name)} must be a plain name inside the workspace, without folders or an absolute path.`);
  }
  if (name.includes('..') || !NAME_PATTERN.test(name)) {
    throw new WorkspaceFileError(`File name ${JSON.stringify(name)} may hold only letters, digits, spaces, ".", "_" and "-" (no ".."), up to 100 characters.`);
  }
  if (!extensions.some((extension) => name.toLowerCase().endsWith(extension))) {
    throw new WorkspaceFileError(`File name ${JSON.stringify(name)} must end in ${extensions.join(' or ')}.`);
  }
  const path = join(workspace, name);
  if (existsSync(path)) {
    const real = realpathSync(path);
    const inside = relative(workspace, real);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.includes(sep)) {
      throw new WorkspaceFileError(`File ${JSON.stringify(name)} is a link to somewhere outside the workspace.`);
    }
  }
  return path;
}
