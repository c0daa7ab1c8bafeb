/**
 * Runs every example script as a reader would (`node --import tsx examples/X.ts`), on the first
 * 1000 images for 1 epoch, and checks what it prints and writes. The examples import 'digitnet'
 * itself, which resolves to dist/ through package.json's exports: build first (npm test does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplesDir = join(root, 'examples');
const outRoot = mkdtempSync(join(tmpdir(), 'digitnet-examples-'));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  out: string;
}

function runExample(file: string): Promise<Finished> {
  const out = join(outRoot, file.replace(/\.ts$/, ''));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(examplesDir, file)],
      {
        cwd: root,
        env: { ...process.env, DIGITNET_EXAMPLE_LIMIT: '1000', DIGITNET_EXAMPLE_EPOCHS: '1', DIGITNET_EXAMPLE_OUT: out },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, out }),
    );
  });
}

function assertRan(result: Finished, file: string): void {
  assert.equal(result.code, 0, `${file} failed:\n${result.stderr}\n${result.stdout.slice(-2000)}`);
  assert.match(result.stdout, /quick run: 1000 training images, at most 1 epoch/);
}

function assertFiles(out: string, names: readonly string[]): void {
  for (const name of names) {
    const path = join(out, name);
    assert.ok(existsSync(path) && statSync(path).size > 0, `${path} was not written`);
  }
}

test('there is one example per seed notebook', () => {
  const examples = readdirSync(examplesDir).filter((name) => /^\d{3}-.*\.ts$/.test(name)).sort();
  assert.deepEqual(examples, ['000-validation-share.ts', '001-ann-confusion-matrix.ts', '002-compare-models.ts', '003-baselines.ts', '004-simple-mlp.ts']);
});

test('000: training share 20% vs 75% on all 70,000 images', async () => {
  const result = await runExample('000-validation-share.ts');
  assertRan(result, '000');
  assert.match(result.stdout, /X: \(1000, 784\) uint8/);
  assert.match(result.stdout, /target: \(1000, 10\) float32/);
  assert.match(result.stdout, /Share of each digit:/);
  for (const name of ['50-50, train on 20%', '50-50, train on 75%', '75x4, train on 20%', '75x4, train on 75%']) {
    assert.match(result.stdout, new RegExp(`${name.replace(/[%,]/g, '.')} +1 epochs +val accuracy \\d+\\.\\d\\d%`));
  }
  assert.match(result.stdout, /predicted \d with probability 0\.\d{4}; the label is \d/);
  assertFiles(result.out, ['validation-curves.png', 'deep-75.safetensors']);
});

test('001: the ANN, its accuracy curves, confusion matrix and report', async () => {
  const result = await runExample('001-ann-confusion-matrix.ts');
  assertRan(result, '001');
  assert.match(result.stdout, /x_train: \(1000, 28, 28\) uint8/);
  assert.match(result.stdout, /Total params: 235,146/);
  assert.match(result.stdout, /Epoch 1\/1/);
  assert.match(result.stdout, /test loss: \d+\.\d{4} · test accuracy: 0\.\d{4}/);
  assert.match(result.stdout, /true \\ pred +0 +1 +2/);
  assertFiles(result.out, ['accuracy-curves.png', 'confusion-matrix.png', 'report/report.html', 'report/metrics.json', 'ann.safetensors']);
});

test('002: three models compared, with their validation curves', async () => {
  const result = await runExample('002-compare-models.ts');
  assertRan(result, '002');
  assert.match(result.stdout, /\(1000, 784\) train samples · \(10000, 784\) test samples/);
  assert.match(result.stdout, /The mean pixel value of the first image before scaling is 35\.108418/);
  assert.match(result.stdout, /First y value in the training data is \[0\. 0\. 0\. 0\. 0\. 1\. 0\. 0\. 0\. 0\.\]/);
  assert.match(result.stdout, /Total params: 40,785/);
  assert.match(result.stdout, /Total params: 669,706/);
  assert.match(result.stdout, /fit1 +50-25 +40,785 +1 /);
  assert.match(result.stdout, /96\.55% \/ 0\.1160/);
  assert.match(result.stdout, /model\.h5 and loaded it back: test accuracy 0\.\d+, the same predictions: true/);
  assertFiles(result.out, ['validation-curves.png', 'model.h5', 'model_2.h5']);
});

test('003: class balance and six baselines', async () => {
  const result = await runExample('003-baselines.ts');
  assertRan(result, '003');
  assert.match(result.stdout, /Number of Training images 1000/);
  assert.match(result.stdout, /Number of Testing images 10000/);
  assert.match(result.stdout, /baseline 6 +512-d0\.5-256-d0\.5 +535,818 +1 /);
  assertFiles(result.out, ['data-distribution.png', ...[1, 2, 3, 4, 5, 6].map((index) => `baseline-${index}-curves.png`)]);
});

test('004: the 512-unit MLP predicts a digit and saves itself', async () => {
  const result = await runExample('004-simple-mlp.ts');
  assertRan(result, '004');
  assert.match(result.stdout, /Total params: 407,050/);
  assert.match(result.stdout, /Index of highest probability: \d with probability: 0\.\d{8}/);
  assert.match(result.stdout, /test_labels\[0\]: 7/);
  assert.match(result.stdout, /test_acc: 0\.\d{4}/);
  assert.match(result.stdout, /the loaded model predicts the same: true/);
  assertFiles(result.out, ['digits.keras', 'training-curves.png']);
});
