/**
 * `digitnet train --report`, `digitnet report` and `digitnet compare` end to end on small subsets
 * (node scripts/run-tests.js builds dist/ first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'digitnet.js');
const dir = mkdtempSync(join(tmpdir(), 'digitnet-report-cli-'));

function digitnet(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DIGITNET_DEBUG: '' }, timeout: 120_000 });
}

test('train --report writes report.html with its charts, history and metrics', () => {
  const out = join(dir, 'run');
  const model = join(dir, 'model.safetensors');
  const run = digitnet('train', '--limit', '2000', '--epochs', '2', '--layers', '32', '--seed', '1', '--save', model, '--report', out, '--verbose', '0');
  assert.equal(run.status, 0, run.stderr);
  for (const file of ['report.html', 'training-curves.png', 'training-curves.svg', 'confusion-matrix.png', 'history.csv', 'metrics.json']) {
    assert.ok(existsSync(join(out, file)), `${file} written`);
  }
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  const counted = metrics.confusionMatrix.flat().reduce((sum: number, value: number) => sum + value, 0);
  assert.equal(counted, 10_000, 'the confusion matrix covers the 10,000 test images');
  assert.equal(readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n').length, 3, 'a header and two epochs');

  const report = digitnet('report', model, '--out', join(dir, 'saved'));
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /Report written to .*saved[/\\]report\.html/);
  assert.match(readFileSync(join(dir, 'saved', 'report.html'), 'utf8'), /Confusion matrix/i);
});

test('report needs --out, and names a missing model file', () => {
  assert.equal(digitnet('report', join(dir, 'none.safetensors')).status, 2);
  const missing = digitnet('report', join(dir, 'none.safetensors'), '--out', join(dir, 'x'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /none\.safetensors does not exist\./);
});

test('compare runs each configuration of a file, keeps going past a failed one, and writes its table', () => {
  const file = join(dir, 'runs.json');
  writeFileSync(
    file,
    JSON.stringify({
      runs: [
        { name: 'tiny', hidden: [{ units: 16 }], optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', epochs: 1, batchSize: 64, validation: 'test' },
        'baseline-32',
      ],
    }),
  );
  const out = join(dir, 'compare');
  const run = digitnet('compare', file, '--out', out, '--limit', '1500', '--max-epochs', '1', '--seed', '2');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^tiny +16 /m);
  assert.match(run.stdout, /^baseline-32 +32 +25,450 +1 /m);
  // As with digitnet train's options: 1 epoch on 1,500 images is not the notebook's run.
  assert.doesNotMatch(run.stdout, /96\.08%/, "the notebook's figure is left out beside baseline-32");
  const rows = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
  assert.equal(JSON.stringify(rows).includes('baseline-32'), true);
  assert.ok(existsSync(join(out, 'compare.html')) && existsSync(join(out, 'compare-curves.png')));

  writeFileSync(file, JSON.stringify({ runs: [{ name: 'bad', hidden: [{ units: 16 }], optimizer: 'ftrl', loss: 'sparseCategoricalCrossentropy', epochs: 1 }] }));
  const bad = digitnet('compare', file, '--out', join(dir, 'bad'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /run 1 \("bad"\): optimizer must be one of "adam", "adamw", "nadam", "adamax", "adagrad", "lion", "rmsprop", "sgd"; got "ftrl"/);
});
