/**
 * tslab prints a failed cell's error with console.error, i.e. its whole stack: for digitnet's
 * one-sentence errors that buries the sentence under frames of digitnet, tslab and Node. Inside
 * tslab only, errors thrown from digitnet's own files get a stack of just "Name: sentence";
 * errors from the user's code (and everything outside a notebook) keep their frames.
 */
import { fileURLToPath } from 'node:url';
import { dirname, sep } from 'node:path';
import { inspect } from 'node:util';
import { notebookKernel } from './kernel.js';

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

let installed = false;

function packageFolder(): string {
  // dist/notebook/errors.js, dist/cjs/index.js (the bundle) or src/notebook/errors.ts: the folder
  // above dist/ or src/ holds every file digitnet throws from (bundled dependencies' too).
  const here = dirname(fileURLToPath(import.meta.url));
  const marker = [`${sep}dist${sep}`, `${sep}src${sep}`].map((part) => here.lastIndexOf(part)).find((index) => index >= 0);
  return marker === undefined ? here : here.slice(0, marker);
}

export function installNotebookErrorFormat(): void {
  if (installed || notebookKernel() === undefined) return;
  installed = true;
  const root = packageFolder();
  const ours = [`${root}${sep}dist${sep}`, `${root}${sep}src${sep}`];
  const previous = Error.prepareStackTrace as PrepareStackTrace | undefined;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): unknown => {
    const thrower = (frames[0]?.getFileName() ?? '').replace(/^file:\/\//, '');
    if (ours.some((folder) => thrower.startsWith(folder))) {
      const sentence = `${error.name}: ${error.message}`;
      // Node's vm prefixes a thrown error's stack with the source line it came from; tslab prints
      // errors with util.inspect, which asks this first and so shows the sentence alone.
      Object.defineProperty(error, inspect.custom, { value: () => sentence, enumerable: false, configurable: true });
      return sentence;
    }
    if (previous) return previous(error, frames);
    return `${error.name}: ${error.message}${frames.map((frame) => `\n    at ${String(frame)}`).join('')}`;
  };
}
