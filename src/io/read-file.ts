/**
 * The one way digitnet reads a file it was given: only a regular file, only as many bytes as
 * fstat reported when it was opened, and never more than the caller's limit. /dev/zero would
 * otherwise be read forever, a FIFO would block forever, and a file of many gigabytes would be
 * read whole before anything looked at it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export interface ReadRegularFileOptions {
  /** The most bytes the file may have; a larger one is refused before anything is read. */
  maxBytes: number;
  /** What the file should be, for messages: "model file", "PNG file", "comparison file". */
  what: string;
  /** The sentence for a missing file (default "PATH not found."). */
  missing?: string;
}

/** A size as people say it: "2 GiB", "16 MiB", "389,120 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number.isInteger(bytes / size) ? bytes / size : (bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes.toLocaleString('en-US')} bytes`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The sentence for an error of open() or read(), in our words rather than the system's. */
export function fileErrorSentence(error: unknown, path: string, what: string, missing?: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return missing ?? `${path} not found.`;
    case 'EISDIR':
      return `${path} is a folder, not a ${what}.`;
    case 'ENOTDIR':
      return `${path} cannot be opened: a part of the path before the file name is a file, not a folder.`;
    case 'ELOOP':
      return `${path} cannot be opened: its symbolic links point in a loop.`;
    case 'EACCES':
    case 'EPERM':
      return `${path} cannot be read: this user has no permission to read it.`;
    case 'ENAMETOOLONG':
      return `${path.length > 80 ? `${path.slice(0, 60)}…` : path} cannot be opened: the path is longer than the system allows.`;
    case 'EMFILE':
    case 'ENFILE':
      return `${path} cannot be opened: too many files are open.`;
    case 'EIO':
      return `${path} cannot be read: the disk reported an input/output error.`;
    default:
      return undefined;
  }
}

/**
 * The bytes of `path`. Refuses (one sentence naming the path) a missing file, a folder, anything
 * that is not a regular file (device, FIFO, socket) and a file larger than `maxBytes`.
 */
export function readRegularFile(path: string, options: ReadRegularFileOptions): Buffer {
  const { maxBytes, what, missing } = options;
  let descriptor: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(fileErrorSentence(error, path, what, missing) ?? `${path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  try {
    const stats = fstatSync(descriptor);
    if (stats.isDirectory()) throw new Error(`${path} is a folder, not a ${what}.`);
    if (!stats.isFile()) throw new Error(`${path} is ${kindOf(stats)}, not a ${what}: give a file saved on disk.`);
    if (stats.size > maxBytes) {
      throw new Error(`${path} is ${formatBytes(stats.size)}, more than the ${formatBytes(maxBytes)} a ${what} may have.`);
    }
    // Exactly the size fstat gave: a file that grows while it is read is cut there, one that
    // shrinks ends early.
    const bytes = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < bytes.length) {
      let read: number;
      try {
        read = readSync(descriptor, bytes, filled, bytes.length - filled, filled);
      } catch (error) {
        throw new Error(fileErrorSentence(error, path, what, missing) ?? `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      }
      if (read === 0) break;
      filled += read;
    }
    return filled === bytes.length ? bytes : bytes.subarray(0, filled);
  } finally {
    closeSync(descriptor);
  }
}
