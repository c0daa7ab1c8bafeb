/**
 * Finds the Jupyter kernel digitnet runs in, if any. tslab (the TypeScript kernel) runs each cell
 * with a global `__tslab__` whose `require('tslab')` is the kernel's own module, the one wired to
 * the cell being executed; requiring 'tslab' from here instead could load a second copy that
 * is not connected to Jupyter. Outside tslab every answer is "no notebook".
 */

/** The part of tslab's `Display` digitnet uses (tslab's public.d.ts). */
export interface NotebookDisplay {
  html(text: string): void;
  svg(text: string): void;
  png(bytes: Uint8Array): void;
  text(text: string): void;
}

export interface NotebookKernel {
  /** Appends an output to the running cell. */
  readonly display: NotebookDisplay;
  /** An output that each call replaces in place (Jupyter's update_display_data). */
  newDisplay(): NotebookDisplay;
}

interface TslabGlobal {
  require(id: string): unknown;
}

function isKernelModule(value: unknown): value is NotebookKernel {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<NotebookKernel>;
  return typeof candidate.newDisplay === 'function' && typeof candidate.display?.html === 'function';
}

/** tslab's display API when running in a tslab notebook, else undefined. */
export function notebookKernel(): NotebookKernel | undefined {
  const tslab = (globalThis as { __tslab__?: TslabGlobal }).__tslab__;
  if (!tslab || typeof tslab.require !== 'function') return undefined;
  try {
    const kernel = tslab.require('tslab');
    return isKernelModule(kernel) ? kernel : undefined;
  } catch {
    // A __tslab__ without a loadable tslab is not a kernel we can draw in.
    return undefined;
  }
}

export function inNotebook(): boolean {
  return notebookKernel() !== undefined;
}
