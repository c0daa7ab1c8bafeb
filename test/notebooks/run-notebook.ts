// Runs a notebook of examples/notebooks in real Jupyter (nbconvert on the tslab kernel from the
// project's devDependencies, through scripts/jupyter-tslab.js) and reads back what its cells showed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
// @ts-expect-error: a plain JavaScript script, shared with `npm run notebooks`.
import * as jupyter from '../../scripts/jupyter-tslab.js';

interface JupyterScript {
  jupyterAvailable(): boolean;
  tslabJupyterEnvironment(): { jupyterPath: string; env: NodeJS.ProcessEnv };
  nbconvert(args: string[], env: NodeJS.ProcessEnv, timeoutSeconds?: number): { status: number | null; stdout: string; stderr: string };
  convert(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string };
  notebookFolder: string;
}
const script = jupyter as JupyterScript;

export interface CellOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

export interface Cell {
  cell_type: 'code' | 'markdown';
  source: string | string[];
  execution_count?: number | null;
  outputs?: CellOutput[];
}

export interface ExecutedNotebook {
  cells: Cell[];
  /** The executed notebook exported to HTML (without running it again). */
  html: string;
  seconds: number;
}

/** Why the notebook tests cannot run here, or undefined when Jupyter is installed. */
export const jupyterMissing = script.jupyterAvailable()
  ? undefined
  : 'jupyter nbconvert is not installed (apt-get install jupyter-nbconvert python3-ipykernel): the notebook tests are skipped';

export const notebookFolder = script.notebookFolder;

export function joined(text: string | string[] | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

/** Executes examples/notebooks/NAME (or a notebook file in that folder) and exports it to HTML. */
export function executeNotebook(notebookPath: string, options: { allowErrors?: boolean } = {}): ExecutedNotebook {
  const { jupyterPath, env } = script.tslabJupyterEnvironment();
  const output = mkdtempSync(join(tmpdir(), 'digitnet-notebook-'));
  try {
    const started = performance.now();
    const run = script.nbconvert(['--to', 'notebook', '--output-dir', output, ...(options.allowErrors ? ['--allow-errors'] : []), notebookPath], env);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(run.status, 0, `nbconvert --execute ${basename(notebookPath)} failed:\n${run.stderr.slice(-4000)}`);
    const executed = join(output, basename(notebookPath));
    const exported = script.convert(['--to', 'html', '--output-dir', output, executed], env);
    assert.equal(exported.status, 0, `nbconvert --to html failed:\n${exported.stderr.slice(-2000)}`);
    const notebook = JSON.parse(readFileSync(executed, 'utf8')) as { cells: Cell[] };
    const html = readFileSync(executed.replace(/\.ipynb$/, '.html'), 'utf8');
    return { cells: notebook.cells, html, seconds };
  } finally {
    rmSync(output, { recursive: true, force: true });
    rmSync(jupyterPath, { recursive: true, force: true });
  }
}

export function codeCells(notebook: ExecutedNotebook): Cell[] {
  return notebook.cells.filter((cell) => cell.cell_type === 'code');
}

/** Every text a cell printed (stdout and stderr) or showed as plain text or HTML. */
export function cellText(cell: Cell): string {
  return (cell.outputs ?? [])
    .map((output) => joined(output.text) + joined(output.data?.['text/plain']) + joined(output.data?.['text/html']) + joined(output.evalue))
    .join('\n');
}

/** Outputs that are charts: an SVG or a PNG. */
export function chartOutputs(cell: Cell): CellOutput[] {
  return (cell.outputs ?? []).filter((output) => output.data !== undefined && ('image/svg+xml' in output.data || 'image/png' in output.data));
}

/** What went wrong in a cell: an error output, or (tslab's way) an error printed to stderr. */
export function cellErrors(cell: Cell): string[] {
  return (cell.outputs ?? [])
    .filter((output) => output.output_type === 'error' || (output.output_type === 'stream' && output.name === 'stderr'))
    .map((output) => (output.output_type === 'error' ? `${output.ename}: ${output.evalue}` : joined(output.text)));
}
