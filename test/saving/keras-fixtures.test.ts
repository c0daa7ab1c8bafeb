/**
 * Files real Keras 3 wrote (test/fixtures/keras/PROVENANCE.md): each loads, and its predictions are
 * the ones its weights imply, computed independently with numpy from h5py's reading of the file.
 * The MNIST one also has to recognize MNIST digits, which no misreading of its weights would.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadMnist, loadModel, tensor, type Tensor } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'keras');
const reference = join(here, 'keras_reference.py');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-keras-fixtures-'));
const PYTHON = '/usr/bin/python3';
const h5pySkip = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0 ? false : "Debian's python3-h5py is not installed (apt-get install python3-h5py), so nothing independent can read the fixtures' weights";

after(() => {
  closeHdf5();
  rmSync(folder, { recursive: true, force: true });
});

function numpyPredictions(path: string, x: Tensor): Float32Array {
  const inputs = join(folder, `inputs-${Math.random().toString(36).slice(2)}.f32`);
  writeFileSync(inputs, Buffer.from(Float32Array.from(x.data as Float32Array).buffer));
  const result = spawnSync(PYTHON, [reference, 'predict', path, inputs, String(x.shape[0])], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, String(result.stderr));
  return new Float32Array(result.stdout.buffer.slice(result.stdout.byteOffset, result.stdout.byteOffset + result.stdout.byteLength));
}

function randomInput(count: number, width: number): Tensor {
  const random = new Random(11);
  return tensor(Float32Array.from({ length: count * width }, () => random.nextFloat() * 2 - 1), [count, width]);
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, name: string): void {
  assert.equal(actual.length, expected.length, name);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `${name} value ${i}: ${actual[i]} against numpy's ${expected[i]}`);
}

const FIXTURES = [
  { file: 'keras-3.11.3-mnist-784-128-10.keras', inputShape: [784], layers: ['Dense', 'Dense'], outputs: 10 },
  { file: 'keras-3.11.3-legacy-2-1.h5', inputShape: [2], layers: ['Dense'], outputs: 1 },
  { file: 'keras-3.10.0-xor-2-4-1.keras', inputShape: [2], layers: ['Dense', 'Dense'], outputs: 1 },
];

for (const fixture of FIXTURES) {
  test(`${fixture.file} (written by Keras) loads and predicts as numpy does from its weights`, { skip: h5pySkip }, () => {
    const path = join(fixtures, fixture.file);
    const model = loadModel(path);
    assert.deepEqual(model.inputShape, fixture.inputShape);
    assert.deepEqual(model.outputShape, [fixture.outputs]);
    assert.deepEqual(model.layers.map((layer) => layer.className), fixture.layers);
    const x = randomInput(32, fixture.inputShape[0]!);
    assertClose(model.predict(x).data as Float32Array, numpyPredictions(path, x), 1e-5, fixture.file);
  });
}

test('the MNIST network Keras trained recognizes MNIST test digits in digitnet', () => {
  const model = loadModel(join(fixtures, 'keras-3.11.3-mnist-784-128-10.keras'));
  const { test: testSet } = loadMnist();
  const count = 500;
  const probabilities = model.predict(tensor(testSet.images.subarray(0, count * 784), [count, 784])).data as Float32Array;
  let correct = 0;
  for (let image = 0; image < count; image++) {
    const row = probabilities.subarray(image * 10, image * 10 + 10);
    if (row.indexOf(Math.max(...row)) === testSet.labels[image]) correct++;
  }
  // Its notebook reports about 97% on the test set; a misread kernel (transposed, shuffled) gives ~10%.
  assert.ok(correct / count > 0.9, `accuracy ${correct / count} on the first ${count} test digits`);
});
