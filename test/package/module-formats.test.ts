// digitnet is one implementation published twice: ESM (dist/index.js) and a CommonJS bundle
// (dist/cjs/index.js, what `require` and tslab's notebooks load). Both are loaded here the way a
// user's project would: from a folder whose node_modules/digitnet is this checkout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const checkout = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let project = '';

// Trains one step and renders a chart, so the bundled vega and the native engine are both exercised.
const body = `
const model = digitnet.sequential([digitnet.dense({ units: 3, activation: 'softmax' })]);
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
const x = digitnet.tensor(new Float32Array(8), [4, 2]);
model.fit(x, new Uint8Array([0, 1, 2, 1]), { epochs: 1, verbose: 0 })
  .then(() => digitnet.renderSvg(digitnet.confusionMatrixSpec([[1, 0], [0, 1]])))
  .then((svg) => console.log(JSON.stringify({ kind: typeof module === 'undefined' ? 'esm' : 'cjs', params: model.countParams(), svg: svg.startsWith('<svg') })));
`;

before(() => {
  project = mkdtempSync(join(tmpdir(), 'digitnet-formats-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(checkout, join(project, 'node_modules', 'digitnet'), 'dir');
  writeFileSync(join(project, 'load.cjs'), `const digitnet = require('digitnet');\n${body}`);
  writeFileSync(join(project, 'load.mjs'), `import * as digitnet from 'digitnet';\n${body}`);
});

after(() => rmSync(project, { recursive: true, force: true }));

for (const [file, kind] of [['load.cjs', 'cjs'], ['load.mjs', 'esm']] as const) {
  test(`${file} loads digitnet as ${kind}, trains and renders`, () => {
    const run = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout.trim()), { kind, params: 9, svg: true });
  });
}

test('the CommonJS and ESM builds export the same names', () => {
  const names = (file: string, code: string): string[] => {
    const run = spawnSync(process.execPath, ['--input-type=' + (file === 'cjs' ? 'commonjs' : 'module'), '-e', code], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as string[];
  };
  const fromRequire = names('cjs', "console.log(JSON.stringify(Object.keys(require('digitnet')).sort()))");
  const fromImport = names('esm', "import * as d from 'digitnet'; console.log(JSON.stringify(Object.keys(d).sort()))");
  assert.deepEqual(fromRequire, fromImport);
  assert.ok(fromRequire.includes('sequential'));
});
