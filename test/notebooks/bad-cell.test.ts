// A notebook user's mistake gets the sentence a script gets: not an empty error, not a stack of
// digitnet's, tslab's and Node's frames.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cellErrors, codeCells, executeNotebook, jupyterMissing } from './run-notebook.js';

const cells = [
  "import { dense, sequential } from 'digitnet';",
  'sequential([dense({ units: -3, activation: "relu" })]);',
  "console.log('after the error');",
];

test('a bad argument in a notebook cell fails with one sentence', { skip: jupyterMissing }, () => {
  // In examples/notebooks, where `import … from 'digitnet'` resolves as the real notebooks' does.
  const file = `.bad-cell-${process.pid}.ipynb`;
  const path = join(new URL('../../examples/notebooks/', import.meta.url).pathname, file);
  const notebook = {
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(path, JSON.stringify(notebook));
  try {
    const executed = executeNotebook(file, { allowErrors: true });
    const [imports, bad] = codeCells(executed);
    assert.deepEqual(cellErrors(imports!), []);
    const errors = cellErrors(bad!).join('').trim();
    assert.match(errors, /^Error: .*units.*-3.*\.$/s, `the bad cell printed:\n${errors}`);
    assert.equal(errors.split('\n').length, 1, `the bad cell printed more than a sentence:\n${errors}`);
    assert.doesNotMatch(errors, /\bat .*\.(js|ts):\d+/);
  } finally {
    rmSync(path, { force: true });
  }
});
