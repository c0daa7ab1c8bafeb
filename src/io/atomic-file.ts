import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCodePhrase } from '../validation.js';

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

/** The temporary file's name: ".NAME.PID.HEX.tmp", so the process that wrote it can be told. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files an earlier write of `path` left behind when its process was killed
 * (kill -9, a power cut): those whose process is gone. Another process's write in progress, and
 * this process's own, are left alone.
 */
export function removeStaleTemporaries(path: string): string[] {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processIsAlive(pid)) continue;
    try {
      rmSync(join(dirname(path), name), { force: true });
      removed.push(name);
    } catch {
      // Cleaning is a courtesy: a file that cannot be removed does not stop the write.
    }
  }
  return removed;
}

// Temporary files being written right now, removed if the process is ended before they are renamed.
const inFlight = new Set<string>();
const CLEANED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// Writes that still need the handlers (see releaseHandlers).
let holders = 0;

function removeInFlight(): void {
  for (const temporary of inFlight) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The process is ending; nothing more can be done.
    }
  }
  inFlight.clear();
}

function uninstall(): void {
  for (const name of CLEANED_SIGNALS) process.off(name, onSignal);
  process.off('exit', removeInFlight);
}

/**
 * Installed only while a write may be interrupted, this changes nothing about how the process
 * ends: it removes the temporary files, then, if nobody else listens for the signal, ends the
 * process by that signal as its default action would. A write is synchronous, so a signal that
 * arrives during it is handled once the write has finished and been renamed: without a handler,
 * the default action would kill the process half-way through and leave the temporary file.
 */
function onSignal(signal: NodeJS.Signals): void {
  removeInFlight();
  if (process.listenerCount(signal) > 1) return;
  holders = 0;
  uninstall();
  process.kill(process.pid, signal);
}

function holdHandlers(): void {
  if (holders++ > 0) return;
  for (const name of CLEANED_SIGNALS) process.on(name, onSignal);
  process.on('exit', removeInFlight);
}

/**
 * Removing a listener drops a signal that arrived while it was installed but has not been
 * handled yet, and signals are handled in the event loop's poll phase, after the synchronous
 * write. Two setImmediate hops wait for a poll phase whatever phase the write ran in (one would
 * do unless the write itself ran in an I/O callback), so no SIGINT or SIGTERM is lost.
 */
function releaseHandlers(): void {
  setImmediate(() =>
    setImmediate(() => {
      if (holders > 0 && --holders === 0) uninstall();
    }).unref(),
  ).unref();
}

/**
 * Writes through a temporary file in the same folder (so the same file system) and renames it
 * into place: readers, and a run interrupted half-way, see the old file or the complete new one,
 * never half of it. Creates the folder if needed. SIGINT, SIGTERM or SIGHUP during the write let
 * it finish and then end the process as usual (so a process saving in a loop that never yields to
 * the event loop defers them until it does); temporary files of earlier writes of the same
 * path whose process is gone (kill -9) are removed first.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`Cannot write ${path}: it is a folder; give a file name.`);
  try {
    makeFolders(dirname(path));
  } catch (error) {
    throw new Error(`Cannot write ${path}: its folder ${dirname(path)} cannot be created (${errorCodePhrase((error as NodeJS.ErrnoException).code, (error as Error).message)}).`);
  }
  removeStaleTemporaries(path);
  holdHandlers();
  const temporary = temporaryName(path);
  inFlight.add(temporary);
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
    throw new Error(`Cannot write ${path}: ${errorCodePhrase((error as NodeJS.ErrnoException).code, (error as Error).message)}; any file already there is unchanged.`);
  } finally {
    inFlight.delete(temporary);
    releaseHandlers();
  }
}
