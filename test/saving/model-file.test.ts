import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adam, dense, dropout, flatten, loadModel, sequential, tensor } from '../../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/saving/safetensors.js';
import { Random } from '../../src/random/rng.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-saving-'));

function trainedModel() {
  const model = sequential(
    [flatten({ inputShape: [4, 4] }), dense({ units: 8, activation: 'tanh' }), dropout({ rate: 0.1 }), dense({ units: 3, activation: 'softmax', name: 'out' })],
    { seed: 11 },
  );
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function randomInput(count: number): ReturnType<typeof tensor> {
  const random = new Random(2);
  return tensor(Float32Array.from({ length: count * 16 }, () => random.nextFloat()), [count, 4, 4]);
}

test('save then load gives identical predictions, config and compile settings', async () => {
  const model = trainedModel();
  const x = randomInput(40);
  await model.fit(x, Int32Array.from({ length: 40 }, (_, i) => i % 3), { epochs: 2, verbose: 0, seed: 1 });
  const path = join(folder, 'model.safetensors');
  model.save(path);
  const loaded = loadModel(path);
  assert.deepEqual(loaded.predict(x).data, model.predict(x).data);
  assert.deepEqual(loaded.getConfig(), model.getConfig());
  assert.deepEqual(loaded.getCompileConfig(), model.getCompileConfig());
  assert.equal(loaded.summaryText(), model.summaryText());
  assert.ok(!readdirSync(folder).some((name) => name.endsWith('.tmp')), 'no temporary file is left behind');
});

test('the file is safetensors: header length, JSON header with dtype, shape and offsets, then float32 data', () => {
  const model = trainedModel();
  const path = join(folder, 'layout.safetensors');
  model.save(path);
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength));
  assert.deepEqual(header['dense/kernel'], { dtype: 'F32', shape: [16, 8], data_offsets: [0, 512] });
  assert.deepEqual(header['out/bias'].shape, [3]);
  assert.equal(header.__metadata__.format, 'digitnet.sequential');
  assert.equal(bytes.readFloatLE(8 + headerLength), model.getWeights()[0]![0]);
});

test('a failed save leaves the existing model file untouched', () => {
  const model = trainedModel();
  const path = join(folder, 'keep.safetensors');
  model.save(path);
  const before = readFileSync(path);
  // Saving onto a folder fails at the rename, after the temporary file was written.
  assert.throws(() => model.save(folder), /Cannot write .*: it is a folder; give a file name\./);
  // A folder that cannot exist, because a file holds its name.
  assert.throws(() => model.save(join(path, 'x.safetensors')), /Cannot write .*keep\.safetensors[/\\]x\.safetensors: its folder .* cannot be created \(a part of the path is a file, not a folder\)\./);
  assert.deepEqual(readFileSync(path), before);
});

function corrupt(name: string, mutate: (bytes: Buffer) => Buffer): string {
  const path = join(folder, `${name}.safetensors`);
  const good = join(folder, 'good.safetensors');
  trainedModel().save(good);
  writeFileSync(path, mutate(readFileSync(good)));
  return path;
}

test('loading refuses missing, truncated and inconsistent files with a clear error', () => {
  assert.throws(() => loadModel(join(folder, 'nope.safetensors')), /nope\.safetensors does not exist\./);
  assert.throws(() => loadModel(corrupt('short', (bytes) => bytes.subarray(0, 5))), /shorter than the 8-byte header length/);
  assert.throws(() => loadModel(corrupt('truncated', (bytes) => bytes.subarray(0, bytes.length - 4))), /tensor "out\/bias" spans bytes 640..652 outside the 648 data bytes/);
  assert.throws(
    () => loadModel(corrupt('huge-header', (bytes) => { const copy = Buffer.from(bytes); copy.writeBigUInt64LE(1n << 40n, 0); return copy; })),
    /header claims \d+ bytes/,
  );
  assert.throws(() => loadModel(corrupt('not-json', (bytes) => { const copy = Buffer.from(bytes); copy.write('!', 8); return copy; })), /header is not JSON/);
  // A file of another kind (here a JSON run file) is named as such, not only by its absurd length.
  const runFile = join(folder, 'run.bin');
  writeFileSync(runFile, JSON.stringify({ config: { preset: 'mlp-50-50' }, test: { accuracy: 0.97 } }));
  assert.throws(() => loadModel(runFile), /run\.bin is not a valid model file: its header claims \d+ bytes .* is it another kind of file\?\)\.$/);
  // A .json file is read as TensorFlow.js's model.json, and one that is not says so.
  const jsonFile = join(folder, 'run.json');
  writeFileSync(jsonFile, JSON.stringify({ config: { preset: 'mlp-50-50' } }));
  assert.throws(() => loadModel(jsonFile), /run\.json is not a TensorFlow\.js model digitnet can read/);
});

test('loading refuses a wrong dtype, shape or offsets', () => {
  const values = new Float32Array(6);
  const encoded = encodeSafetensors([{ name: 'a', shape: [2, 3], values }], {});
  const headerLength = Number(encoded.readBigUInt64LE(0));
  const rewrite = (change: (header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void): Buffer => {
    const header = JSON.parse(encoded.toString('utf8', 8, 8 + headerLength));
    change(header);
    const text = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([length, text, encoded.subarray(8 + headerLength)]);
  };
  assert.throws(() => decodeSafetensors(rewrite((h) => (h.a!.dtype = 'F16')), 'f.safetensors'), /tensor "a" has dtype "F16"; only F32 is supported/);
  assert.throws(() => decodeSafetensors(rewrite((h) => (h.a!.shape = [2, 2])), 'f.safetensors'), /needs 16 bytes but spans 24/);
  assert.throws(() => decodeSafetensors(rewrite((h) => (h.a!.data_offsets = [0, 48])), 'f.safetensors'), /outside the 24 data bytes/);
  assert.throws(() => decodeSafetensors(rewrite((h) => (h.a!.shape = [-1, 3])), 'f.safetensors'), /list of non-negative integers/);
  assert.equal(decodeSafetensors(encoded, 'ok').tensors[0]!.values.length, 6);
});

test('loading refuses a file whose model config is not ours or names an unknown layer', () => {
  const other = join(folder, 'other.safetensors');
  writeFileSync(other, encodeSafetensors([], { format: 'pytorch' }));
  assert.throws(() => loadModel(other), /is not a digitnet model: its __metadata__\.format is "pytorch"/);
  const evil = join(folder, 'evil.safetensors');
  const config = JSON.stringify({ className: 'Sequential', config: { name: 'x', inputShape: [4], layers: [{ className: 'Lambda', config: { code: 'process.exit()' } }] } });
  writeFileSync(evil, encodeSafetensors([], { format: 'digitnet.sequential', formatVersion: '1', model: config }));
  assert.throws(() => loadModel(evil), /model config is invalid at config\.layers\.0\.className/);
});

test("the optimizer's state is saved, so training the loaded model continues exactly where it stopped", async () => {
  const x = randomInput(40);
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 3);
  const model = trainedModel();
  await model.fit(x, y, { epochs: 2, verbose: 0, seed: 1 });
  const path = join(folder, 'resumable.safetensors');
  model.save(path);
  const names = decodeSafetensors(readFileSync(path), path).tensors.map((tensor) => tensor.name);
  assert.ok(names.includes('optimizer/dense/kernel/momentum') && names.includes('optimizer/out/bias/velocity'), names.join(', '));
  const loaded = loadModel(path);
  assert.equal(loaded.optimizer!.iterations, model.optimizer!.iterations);
  await model.fit(x, y, { epochs: 1, verbose: 0, seed: 2 });
  await loaded.fit(x, y, { epochs: 1, verbose: 0, seed: 2 });
  assert.deepEqual(loaded.getWeights(), model.getWeights());

  // includeOptimizer: false keeps the weights only; training the loaded model starts Adam afresh.
  const weightsOnly = join(folder, 'weights-only.safetensors');
  model.save(weightsOnly, { includeOptimizer: false });
  assert.ok(!decodeSafetensors(readFileSync(weightsOnly), weightsOnly).tensors.some((tensor) => tensor.name.startsWith('optimizer/')));
  assert.equal(loadModel(weightsOnly).optimizer!.iterations, 0);
});

test("a file whose optimizer state does not match the model is refused", async () => {
  const model = trainedModel();
  const x = randomInput(12);
  await model.fit(x, Int32Array.from({ length: 12 }, (_, i) => i % 3), { epochs: 1, verbose: 0, seed: 1 });
  const path = join(folder, 'state.safetensors');
  model.save(path);
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  const withoutMomentum = tensors.filter((tensor) => tensor.name !== 'optimizer/dense/kernel/momentum');
  const broken = join(folder, 'broken-state.safetensors');
  writeFileSync(broken, encodeSafetensors(withoutMomentum, metadata));
  assert.throws(() => loadModel(broken), { message: `${broken} is not a digitnet model: it has no tensor "optimizer/dense/kernel/momentum".` });
});

/** The saved small model with its config's first Dense layer given `units` units (the tensors unchanged). */
function inflated(name: string, units: number): string {
  return corrupt(name, (bytes) => {
    const { tensors, metadata } = decodeSafetensors(bytes, name);
    const config = JSON.parse(metadata.model!);
    config.config.layers[1].config.units = units;
    return encodeSafetensors(tensors, { ...metadata, model: JSON.stringify(config) });
  });
}

test('a config asking for far more units than the file stores is refused before anything is allocated', () => {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  // 2,700,000 units would be 8.6 GB of weights had the model been built first.
  assert.throws(() => loadModel(inflated('inflated', 2_700_000)), /its model config gives layer 2 \("dense"\) 2,700,000 units, more than the 65,536 allowed\.$/);
  // Within the cap, the count of weights gives it away: 16 × 60,000 + ... against the 211 stored.
  assert.throws(() => loadModel(inflated('inflated-60k', 60_000)), /its model config describes 1,200,003 weights but the file stores 163\.$/);
  assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20, 'no large allocation');
  assert.ok(performance.now() - started < 5000);
});

test('a model with NaN or infinite weights is refused at load, naming the tensor', () => {
  const path = corrupt('nan', (bytes) => {
    const { tensors, metadata } = decodeSafetensors(bytes, 'nan');
    tensors[2]!.values[1] = Number.NaN;
    return encodeSafetensors(tensors, metadata);
  });
  assert.throws(() => loadModel(path), /is not a digitnet model: tensor "out\/kernel" holds NaN at position 1, and a usable model has only finite weights/);
});
