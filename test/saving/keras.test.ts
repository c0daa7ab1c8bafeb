import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync, unzipSync } from 'fflate';
import { adam, dense, dropout, flatten, loadModel, rmsprop, sequential, tensor, type Sequential, type Tensor } from '../../src/index.js';
import { Random } from '../../src/random/rng.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';

after(closeHdf5);

const here = dirname(fileURLToPath(import.meta.url));
const reference = join(here, 'keras_reference.py');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-keras-'));
const PYTHON = '/usr/bin/python3';
const h5pySkip = spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0 ? false : 'Debian\'s python3-h5py is not installed (apt-get install python3-h5py)';

function python(...args: string[]): string {
  const result = spawnSync(PYTHON, [reference, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `keras_reference.py ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** numpy's outputs for `x` from the file's own weights. */
function numpyPredictions(path: string, x: Tensor): Float32Array {
  const inputs = join(folder, `inputs-${Math.random().toString(36).slice(2)}.f32`);
  writeFileSync(inputs, Buffer.from(Float32Array.from(x.data as Float32Array).buffer));
  const result = spawnSync(PYTHON, [reference, 'predict', path, inputs, String(x.shape[0])], { maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, String(result.stderr));
  return new Float32Array(result.stdout.buffer.slice(result.stdout.byteOffset, result.stdout.byteOffset + result.stdout.byteLength));
}

function randomInput(count: number, shape: readonly number[], seed = 3): Tensor {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: count * size }, () => random.nextFloat()), [count, ...shape]);
}

function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `value ${i}: ${actual[i]} against ${expected[i]}`);
}

async function trainedModel(optimizer: 'adam' | 'rmsprop' = 'adam'): Promise<{ model: Sequential; x: Tensor; y: Int32Array }> {
  const model = sequential(
    [flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 6, activation: 'tanh' }), dense({ units: 3, activation: 'softmax', name: 'out' })],
    { seed: 5 },
  );
  model.compile({ optimizer: optimizer === 'adam' ? adam({ learningRate: 0.01, beta1: 0.8 }) : rmsprop({ learningRate: 0.005, momentum: 0.5 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = randomInput(48, [4, 4]);
  const y = Int32Array.from({ length: 48 }, (_, i) => i % 3);
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 4 });
  return { model, x, y };
}

for (const [extension, optimizer] of [['keras', 'adam'], ['h5', 'adam'], ['keras', 'rmsprop'], ['h5', 'rmsprop']] as const) {
  test(`.${extension} with ${optimizer}: save, load, identical weights, config and predictions; training continues exactly`, async () => {
    const { model, x, y } = await trainedModel(optimizer);
    const path = join(folder, `round-trip-${optimizer}.${extension}`);
    model.save(path);
    const loaded = loadModel(path);
    assert.deepEqual(loaded.getConfig(), model.getConfig());
    assert.deepEqual(loaded.getCompileConfig(), model.getCompileConfig());
    assert.deepEqual(loaded.getWeights(), model.getWeights());
    assert.deepEqual(loaded.predict(x).data, model.predict(x).data);
    assert.equal(loaded.optimizer!.iterations, model.optimizer!.iterations);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, seed: 9 });
    await loaded.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, seed: 9 });
    assert.deepEqual(loaded.getWeights(), model.getWeights());
  });
}

test('saveWeights / loadWeights: .weights.h5 (Keras 3) and .h5 (Keras 2) into a fresh model of the same architecture', async () => {
  const { model, x } = await trainedModel();
  for (const name of ['digits.weights.h5', 'digits-weights.h5']) {
    const path = join(folder, name);
    model.saveWeights(path);
    const fresh = sequential(
      [flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 6, activation: 'tanh' }), dense({ units: 3, activation: 'softmax' })],
      { seed: 99 },
    );
    fresh.loadWeights(path);
    assert.deepEqual(fresh.predict(x).data, model.predict(x).data);
  }
  assert.throws(() => model.saveWeights(join(folder, 'w.bin')), /Cannot tell the format of .*w\.bin from its name: end it with \.keras|\.weights\.h5/);
});

test('h5py reads our .h5, .weights.h5 and .keras as Keras would, and numpy on their weights gives our predictions', { skip: h5pySkip }, async () => {
  const { model, x } = await trainedModel();
  const h5 = join(folder, 'checked.h5');
  const keras = join(folder, 'checked.keras');
  const weights = join(folder, 'checked.weights.h5');
  model.save(h5);
  model.save(keras);
  model.saveWeights(weights);
  const legacy = JSON.parse(python('check-h5', h5));
  assert.deepEqual(legacy.layers, model.layers.map((layer) => layer.name));
  assert.equal(legacy.weights, 6);
  const zipped = JSON.parse(python('check-weights', keras));
  assert.deepEqual(zipped.layers, ['dense', 'dense_1', 'dense_2', 'dropout', 'flatten']);
  // iteration, learning rate, Adam's momentum and velocity for each of the 6 weights.
  assert.deepEqual(zipped.optimizer, { count: 14, iterations: model.optimizer!.iterations });
  assert.deepEqual(JSON.parse(python('check-weights', weights)).layers, ['dense', 'dense_1', 'dense_2', 'dropout', 'flatten']);
  const ours = model.predict(x).data as Float32Array;
  assertClose(numpyPredictions(h5, x), ours, 1e-6);
  assertClose(numpyPredictions(keras, x), ours, 1e-6);
});

test('files in Keras 2 and Keras 3 legacy layouts written by h5py load with the predictions their weights imply', { skip: h5pySkip }, () => {
  for (const [command, shape] of [['write-keras2', [784]], ['write-keras3-legacy', [28, 28, 1]]] as const) {
    const path = join(folder, `${command}.h5`);
    python(command, path);
    const model = loadModel(path);
    assert.deepEqual(model.inputShape, shape);
    assert.equal(model.loss, 'sparseCategoricalCrossentropy');
    const x = randomInput(20, shape);
    assertClose(model.predict(x).data as Float32Array, numpyPredictions(path, x), 1e-5);
  }
});

/**
 * Files real Keras wrote, from public repositories (see PROVENANCE.md beside them). They are not
 * committed here: they are kept in the steering repository's shared/fixtures/keras/, found by
 * walking up from this checkout, or named by DIGITNET_KERAS_FIXTURES.
 */
function realFixtures(): string | undefined {
  if (process.env.DIGITNET_KERAS_FIXTURES) return process.env.DIGITNET_KERAS_FIXTURES;
  for (let current = resolve(here, '..', '..'); ; current = dirname(current)) {
    const candidate = join(current, 'shared', 'fixtures', 'keras');
    if (existsSync(join(candidate, 'PROVENANCE.md'))) return candidate;
    if (dirname(current) === current) return undefined;
  }
}
const fixtures = realFixtures();
const fixtureSkip = fixtures === undefined ? 'no shared/fixtures/keras folder with files real Keras wrote (see test/fixtures/keras/README.md)' : h5pySkip;

test('files real Keras 2 and 3 wrote load with the predictions their weights imply', { skip: fixtureSkip }, () => {
  const expected: Record<string, readonly number[]> = {
    'keras-3.3.3-sequential-784.keras': [784],
    'keras-3.10.0-flatten-dropout-adam.keras': [28, 28],
    'keras-3.3.3-legacy-784.h5': [784],
    'keras-2.15.0-functional-13.h5': [13],
  };
  for (const [name, shape] of Object.entries(expected)) {
    const path = join(fixtures!, name);
    if (!existsSync(path)) continue;
    const model = loadModel(path);
    assert.deepEqual(model.inputShape, shape, name);
    const x = randomInput(16, shape);
    assertClose(model.predict(x).data as Float32Array, numpyPredictions(path, x), 1e-5);
  }
  const conv = join(fixtures!, 'keras-2.2.4-conv2d.h5');
  if (existsSync(conv)) assert.throws(() => loadModel(conv), /does not support \(Conv2D, MaxPooling2D\); digitnet reads InputLayer, Dense, Dropout, Flatten, Activation layers/);
});

function oneSentence(action: () => unknown, pattern: RegExp): void {
  assert.throws(action, (error: Error) => {
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n') && /\.$/.test(error.message), `not one sentence: ${error.message}`);
    return true;
  });
}

test('bad files are refused in one sentence naming the file and the problem', async () => {
  const { model } = await trainedModel();
  const keras = join(folder, 'good.keras');
  const h5 = join(folder, 'good.h5');
  model.save(keras);
  model.save(h5);
  const bytes = new Uint8Array(readFileSync(keras));
  const write = (name: string, contents: Uint8Array | string): string => {
    const path = join(folder, name);
    writeFileSync(path, contents);
    return path;
  };
  const entries = unzipSync(bytes);
  const rezip = (name: string, change: Record<string, Uint8Array>): string => write(name, zipSync({ ...entries, ...change }, { level: 0 }));
  const config = JSON.parse(new TextDecoder().decode(entries['config.json']));
  const withConfig = (name: string, edit: (value: typeof config) => void): string => {
    const copy = structuredClone(config);
    edit(copy);
    return rezip(name, { 'config.json': new TextEncoder().encode(JSON.stringify(copy)) });
  };

  oneSentence(() => loadModel(write('truncated.keras', bytes.subarray(0, bytes.length / 2))), /truncated\.keras cannot be loaded as a Keras \.keras file: .*(damaged|HDF5|no model\.weights)/);
  oneSentence(() => loadModel(write('truncated.h5', new Uint8Array(readFileSync(h5)).subarray(0, 3000))), /truncated\.h5 cannot be loaded as a Keras \.h5 file: its HDF5 data is unreadable/);
  oneSentence(() => loadModel(write('wrong-magic.keras', 'not a zip at all')), /wrong-magic\.keras cannot be loaded as a Keras \.keras file: it is not a zip archive/);
  oneSentence(() => loadModel(write('wrong-magic.h5', 'not hdf5 either')), /wrong-magic\.h5 cannot be loaded as a Keras \.h5 file: it does not start with HDF5's signature/);
  oneSentence(() => loadModel(withConfig('wrong-shape.keras', (c) => (c.config.layers[2].config.units = 9))), /weight layers\/dense\/vars\/0 has shape \[16, 8\] where the model needs \[16, 9\]/);
  oneSentence(() => loadModel(withConfig('conv.keras', (c) => (c.config.layers[2].class_name = 'Conv2D'))), /conv\.keras .* digitnet does not support \(Conv2D\)/);
  oneSentence(() => loadModel(withConfig('lambda.keras', (c) => (c.config.layers[2].class_name = 'Lambda'))), /Lambda\); digitnet reads .* never runs code from a file/);
  oneSentence(() => loadModel(withConfig('huge.keras', (c) => (c.config.layers[2].config.units = 60000))), /describes \d+ weights but the file stores only \d+ numbers/);
  oneSentence(() => loadModel(withConfig('too-wide.keras', (c) => (c.config.layers[2].config.units = 70000))), /has 70000 units, more than the 65536 digitnet allows/);
  oneSentence(() => loadModel(rezip('no-weights.keras', { 'model.weights.h5': new Uint8Array() })), /model\.weights\.h5 does not start with HDF5's signature/);
  oneSentence(() => loadModel(rezip('bad-json.keras', { 'config.json': new TextEncoder().encode('{nope') })), /its config\.json is not JSON/);

  // Weights of the wrong dtype, missing, or not finite: written by h5py from our good file.
  if (!h5pySkip) {
    const edit = (name: string, code: string): string => {
      const path = join(folder, name);
      const result = spawnSync(PYTHON, ['-c', `import h5py, numpy as np, shutil; shutil.copy(${JSON.stringify(h5)}, ${JSON.stringify(path)}); f = h5py.File(${JSON.stringify(path)}, 'r+'); g = f['model_weights/dense/dense']; ${code}; f.close()`], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return path;
    };
    oneSentence(() => loadModel(edit('float64.h5', "k = g['kernel:0'][()]; del g['kernel:0']; g['kernel:0'] = k.astype(np.float64)")), /weight dense\/dense\/kernel:0 is float64, not float32/);
    oneSentence(() => loadModel(edit('missing.h5', "del g['bias:0']")), /it has no weight at dense\/dense\/bias:0/);
    oneSentence(() => loadModel(edit('nan.h5', "k = g['kernel:0']; v = k[()]; v[0, 0] = np.nan; k[...] = v")), /weight dense\/dense\/kernel:0 holds NaN at index 0/);
  }

  // A zip bomb: a directory claiming an entry far larger than the archive could honestly expand to.
  const bomb = zipSync({ ...entries, 'model.weights.h5': new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
  oneSentence(() => loadModel(write('bomb.keras', bomb)), /bomb\.keras .* its model\.weights\.h5 would expand to 41943040 bytes, more than the \d+ allowed/);
  // A huge header: a config.json of 20 MB.
  oneSentence(() => loadModel(rezip('huge-header.keras', { 'config.json': new Uint8Array(20 * 1024 * 1024).fill(32) })), /its config\.json would expand to 20971520 bytes, more than the 16777216 allowed/);

  mkdirSync(join(folder, 'a-folder.keras'), { recursive: true });
  oneSentence(() => loadModel(join(folder, 'a-folder.keras')), /a-folder\.keras .* it is a folder/);
  assert.throws(() => model.save(join(folder, 'a-folder.keras')), /it is a folder; give a file name/);
  oneSentence(() => model.save(join(folder, 'model.pt')), /Cannot tell the format of .*model\.pt from its name: end it with \.safetensors .*\.keras .*\.h5/);
  assert.deepEqual(readdirSync(folder).filter((name) => name.endsWith('.tmp')), [], 'no temporary file is left behind');
});
