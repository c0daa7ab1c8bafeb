#!/usr/bin/env node
// Runs Jupyter on the tslab kernel from this project's devDependencies, with no global install:
// a kernelspec in a temporary JUPYTER_PATH points at node_modules/.bin/tslab.
//
//   node scripts/jupyter-tslab.js html      executes every examples/notebooks/*.ipynb and writes docs/notebooks/*.html
//   node scripts/jupyter-tslab.js execute   executes them in place (their outputs are kept in the .ipynb files)
// The tests (test/notebooks/) use tslabJupyterEnvironment() and nbconvert() the same way.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const notebookFolder = join(root, 'examples', 'notebooks');

/** Environment variables under which `jupyter` finds a "tslab" kernel (and nothing user-installed is needed). */
export function tslabJupyterEnvironment() {
  const jupyterPath = mkdtempSync(join(tmpdir(), 'digitnet-jupyter-'));
  const kernel = join(jupyterPath, 'kernels', 'tslab');
  mkdirSync(kernel, { recursive: true });
  const spec = { argv: [join(root, 'node_modules', '.bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
  writeFileSync(join(kernel, 'kernel.json'), JSON.stringify(spec, null, 2));
  // The kernel is started by jupyter, itself started by npm or the test: make sure it finds this node.
  const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  return { jupyterPath, env: { ...process.env, JUPYTER_PATH: jupyterPath, PATH: path } };
}

export function jupyterAvailable() {
  const probe = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  return probe.status === 0;
}

export function notebooks() {
  return readdirSync(notebookFolder).filter((name) => name.endsWith('.ipynb')).sort();
}

/** jupyter nbconvert --execute on the tslab kernel; returns the spawn result. */
export function nbconvert(args, env, timeoutSeconds = 600) {
  return spawnSync('jupyter', ['nbconvert', '--execute', '--ExecutePreprocessor.kernel_name=tslab', `--ExecutePreprocessor.timeout=${timeoutSeconds}`, ...args], {
    cwd: notebookFolder,
    env,
    encoding: 'utf8',
  });
}

/** jupyter nbconvert without running anything (an executed notebook to HTML, say). */
export function convert(args, env) {
  return spawnSync('jupyter', ['nbconvert', ...args], { cwd: notebookFolder, env, encoding: 'utf8' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== 'html' && mode !== 'execute') {
    console.error('Usage: node scripts/jupyter-tslab.js html|execute');
    process.exit(2);
  }
  if (!jupyterAvailable()) {
    console.error('jupyter nbconvert is not installed: apt-get install jupyter-nbconvert python3-ipykernel (or pip install nbconvert ipykernel).');
    process.exit(1);
  }
  const { env } = tslabJupyterEnvironment();
  const output = join(root, 'docs', 'notebooks');
  for (const name of notebooks()) {
    const args = mode === 'html' ? ['--to', 'html', '--output-dir', output, name] : ['--to', 'notebook', '--inplace', name];
    const started = Date.now();
    const run = nbconvert(args, env);
    if (run.status !== 0) {
      console.error(`${name} failed:\n${run.stderr}`);
      process.exit(1);
    }
    console.log(`${name}: ${mode === 'html' ? `docs/notebooks/${name.replace(/\.ipynb$/, '.html')}` : 'executed in place'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}
