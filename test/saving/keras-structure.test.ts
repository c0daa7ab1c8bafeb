/**
 * Our .keras, .h5 and .weights.h5 read by a reader that is not ours — Debian's h5py — with every
 * group, attribute, dtype and shape Keras's loaders look for (keras_structure.py names the Keras
 * sources), and a .keras file compared object by object with one real Keras 3.11 wrote for the
 * same network (test/fixtures/keras/PROVENANCE.md).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { adam, dense, dropout, flatten, rmsprop, sequential, sgd, tensor, type Sequential } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';

const here = dirname(fileURLToPath(import.meta.url));
const checker = join(here, 'keras_structure.py');
const realKeras = join(here, '..', 'fixtures', 'keras', 'keras-3.11.3-mnist-784-128-10.keras');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-keras-structure-'));
const PYTHON = '/usr/bin/python3';
const h5pySkip =
  spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0 ? false : "Debian's python3-h5py is not installed (apt-get install python3-h5py): no reader but ours to check the files with";

after(() => {
  closeHdf5();
  rmSync(folder, { recursive: true, force: true });
});

interface Checked {
  layers: string[];
  weights?: number;
  optimizer?: { class_name: string; variables: number; iterations?: number } | null;
  vars?: string;
  matches?: string;
}

function check(command: string, ...paths: string[]): Checked {
  const result = spawnSync(PYTHON, [checker, command, ...paths], { encoding: 'utf8' });
  assert.equal(result.status, 0, `keras_structure.py ${command} ${paths.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Checked;
}

async function trained(layers: Parameters<typeof sequential>[0], optimizer: Parameters<Sequential['compile']>[0]['optimizer'], inputShape: number[]): Promise<Sequential> {
  const model = sequential(layers, { seed: 2 });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const random = new Random(9);
  const count = 16;
  const inputs = inputShape.reduce((product, size) => product * size, 1);
  const x = tensor(Float32Array.from({ length: count * inputs }, () => random.nextFloat()), [count, ...inputShape]);
  await model.fit(x, Uint8Array.from({ length: count }, (_, i) => i % 3), { epochs: 1, batchSize: 8, verbose: 0, seed: 1 });
  return model;
}

test('our .keras has the very objects real Keras 3.11 wrote for the same network: zip entries, config keys, groups, vars, dtypes, shapes, attributes', { skip: h5pySkip }, async () => {
  // Keras's file: InputLayer [None, 784], Dense 128 relu, Dense 10 softmax, Adam, trained.
  const model = await trained([dense({ units: 128, activation: 'relu', inputShape: [784] }), dense({ units: 10, activation: 'softmax' })], 'adam', [784]);
  const path = join(folder, 'same-as-keras.keras');
  model.save(path);
  const result = check('keras', path, realKeras);
  assert.equal(result.matches, realKeras);
  assert.deepEqual(result.optimizer, { class_name: 'Adam', variables: 10, iterations: 2 });
  // The checker itself accepts Keras's file (so its rules are Keras's, not ours).
  assert.deepEqual(check('keras', realKeras).layers, ['dense', 'dense_1']);
});

test('Flatten, Dropout and each optimizer: .keras, .h5, .weights.h5 and the legacy weights-only .h5 have what Keras looks for', { skip: h5pySkip }, async () => {
  const cases = [
    { name: 'adam', optimizer: adam({ learningRate: 0.01 }), keras: 2 },
    { name: 'rmsprop-momentum', optimizer: rmsprop({ momentum: 0.5 }), keras: 2 },
    { name: 'sgd', optimizer: sgd({ learningRate: 0.1 }), keras: 0 },
  ] as const;
  for (const { name, optimizer, keras } of cases) {
    const model = await trained(
      [flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 5, activation: 'tanh' }), dense({ units: 3, activation: 'softmax' })],
      optimizer,
      [4, 4],
    );
    const base = join(folder, name);
    model.save(`${base}.keras`);
    model.save(`${base}.h5`);
    model.saveWeights(`${base}.weights.h5`);
    model.saveWeights(`${base}-legacy.h5`);
    const zipped = check('keras', `${base}.keras`);
    assert.deepEqual(zipped.layers, ['flatten', 'dense', 'dropout', 'dense_1', 'dense_2'], name);
    // iterations and learning rate, then the optimizer's slots for each of the 6 weights.
    assert.equal(zipped.optimizer!.variables, 2 + keras * 6, name);
    assert.equal(zipped.optimizer!.iterations, model.optimizer!.iterations, name);
    const legacy = check('h5', `${base}.h5`);
    assert.deepEqual(legacy.layers, model.layers.map((layer) => layer.name), name);
    assert.equal(legacy.weights, 6, name);
    assert.equal(legacy.optimizer!.variables, 1 + keras * 6, name);
    assert.deepEqual(check('weights', `${base}.weights.h5`), { layers: ['dense', 'dense_1', 'dense_2', 'dropout', 'flatten'], vars: 'sequential' }, name);
    assert.equal(check('legacy-weights', `${base}-legacy.h5`).weights, 6, name);
  }
});

test('a .keras saved without the optimizer or uncompiled has no optimizer group, and the checker notices a missing attribute', { skip: h5pySkip }, async () => {
  const model = await trained([dense({ units: 4, activation: 'relu', inputShape: [3] }), dense({ units: 3, activation: 'softmax' })], 'adam', [3]);
  const path = join(folder, 'no-optimizer.keras');
  model.save(path, { includeOptimizer: false });
  assert.equal(check('keras', path).optimizer, null);
  const config = JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(path)))['config.json']!)) as { compile_config?: unknown };
  assert.ok(config.compile_config, 'the compile settings stay, as Keras keeps them');
  // A file missing what Keras reads fails the check: it is not a test that cannot fail.
  const broken = join(folder, 'broken.h5');
  model.save(broken);
  const write = spawnSync(PYTHON, ['-c', `import h5py; f = h5py.File(${JSON.stringify(broken)}, 'r+'); del f['model_weights'].attrs['layer_names']; f.close()`], { encoding: 'utf8' });
  assert.equal(write.status, 0, write.stderr);
  const refused = spawnSync(PYTHON, [checker, 'h5', broken], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /has no attribute layer_names/);
});
