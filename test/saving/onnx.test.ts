import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { activation, activityRegularization, batchNormalization, dense, dropout, flatten, gaussianNoise, layerNormalization, loadMnist, sequential, tensor, type Sequential } from '../../src/index.js';
import { decodeModel, encodeModel } from '../../src/saving/onnx/onnx-proto.js';
import { encodeOnnx, loadOnnx, saveOnnx } from '../../src/saving/onnx/onnx-format.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-onnx-'));
const fixtures = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const IMAGES = 100;
const { test: mnistTest } = loadMnist();
const images = mnistTest.images.subarray(0, IMAGES * 784);

// onnxruntime-web's wasm backend, from the files in node_modules (nothing is downloaded); one
// thread, so no worker is started.
const require = createRequire(import.meta.url);
ort.env.wasm.wasmPaths = pathToFileURL(dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')) + '/').href;
ort.env.wasm.numThreads = 1;

function mlp(): Sequential {
  return sequential(
    [
      flatten({ inputShape: [28, 28] }),
      dense({ units: 64, activation: 'relu' }),
      dropout({ rate: 0.2 }),
      dense({ units: 32, activation: 'sigmoid' }),
      dense({ units: 16, activation: 'tanh', useBias: false }),
      dense({ units: 10 }),
      activation({ activation: 'softmax' }),
    ],
    { seed: 9 },
  );
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]! - b[index]!));
  return largest;
}

async function runWithOnnxRuntime(bytes: Uint8Array, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  assert.deepEqual([session.inputNames, session.outputNames], [['input'], ['output']]);
  const result = await session.run({ input: new ort.Tensor('float32', input, shape) });
  await session.release();
  return result.output!.data as Float32Array;
}

test('ONNX Runtime (onnxruntime-web, wasm) runs our export as digitnet predicts, batch 100 and batch 1', async () => {
  const model = mlp();
  const path = join(folder, 'digits.onnx');
  saveOnnx(model, path);
  const bytes = readFileSync(path);
  const scaled = Float32Array.from(images, (value) => value / 255);
  const ours = model.predict(tensor(images, [IMAGES, 28, 28])).data;
  const theirs = await runWithOnnxRuntime(bytes, scaled, [IMAGES, 28, 28]);
  assert.ok(maxDifference(theirs, ours) <= 1e-5, `largest difference ${maxDifference(theirs, ours)}`);
  const one = await runWithOnnxRuntime(bytes, scaled.subarray(0, 784), [1, 28, 28]);
  assert.ok(maxDifference(one, ours.subarray(0, 10)) <= 1e-5);

  const written = decodeModel(bytes);
  assert.equal(written.producer_name, 'digitnet');
  assert.ok(written.producer_version && written.doc_string && written.graph?.doc_string);
  assert.deepEqual(written.opset_import, [{ domain: '', version: '13' }]);
  assert.deepEqual(written.graph!.input![0]!.type!.tensor_type!.shape!.dim![0], { dim_param: 'batch' });
  assert.ok(written.graph!.initializer!.every((initializer) => initializer.raw_data!.length > 0 && (initializer.float_data ?? []).length === 0));
  assert.ok(!written.graph!.node!.some((node) => node.op_type === 'Dropout'));
});

test('a softmax over a 2-D sample is exported over the whole sample, as digitnet computes it; a model of flat inputs needs no Flatten', async () => {
  const model = sequential([activation({ activation: 'softmax', inputShape: [3, 4] }), flatten(), dense({ units: 2, activation: 'tanh' })], { seed: 2 });
  const input = Float32Array.from({ length: 24 }, (_, index) => Math.sin(index));
  const theirs = await runWithOnnxRuntime(encodeOnnx(model), input, [2, 3, 4]);
  assert.ok(maxDifference(theirs, model.predict(tensor(input, [2, 3, 4])).data) <= 1e-6);
  const flat = sequential([dense({ units: 5, activation: 'relu', inputShape: [12] }), dense({ units: 3, activation: 'softmax' })], { seed: 3 });
  const flatInput = input.subarray(0, 24);
  const flatTheirs = await runWithOnnxRuntime(encodeOnnx(flat), flatInput, [2, 12]);
  assert.ok(maxDifference(flatTheirs, flat.predict(tensor(flatInput, [2, 12])).data) <= 1e-6);
});

const ACTIVATIONS = ['gelu', 'elu', 'selu', 'leaky_relu', 'silu', 'softplus', 'softsign', 'hard_sigmoid', 'mish', 'relu', 'sigmoid', 'tanh'] as const;

/** Every activation, and the normalization and training-only layers, after one epoch so the moving statistics moved. */
async function toolboxModel(): Promise<Sequential> {
  const model = sequential(
    [
      gaussianNoise({ stddev: 0.1, inputShape: [6] }),
      ...ACTIVATIONS.flatMap((name, index) => [dense({ units: 5, activation: name }), ...(index % 3 === 0 ? [batchNormalization()] : index % 3 === 1 ? [layerNormalization()] : [activityRegularization({ l2: 0.01 })])]),
      layerNormalization({ center: false }),
      dense({ units: 3, activation: 'softmax' }),
    ],
    { seed: 8 },
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = tensor(Float32Array.from({ length: 40 * 6 }, (_, index) => Math.sin(index * 0.7) * 2), [40, 6]);
  await model.fit(x, Int32Array.from({ length: 40 }, (_, index) => index % 3), { epochs: 1, batchSize: 8, verbose: 0, seed: 1 });
  return model;
}

test('every activation, BatchNormalization, LayerNormalization and the training-only layers export as ONNX Runtime computes them', async () => {
  const model = await toolboxModel();
  const input = Float32Array.from({ length: 7 * 6 }, (_, index) => Math.cos(index * 1.3) * 3);
  const ours = model.predict(tensor(input, [7, 6])).data;
  const theirs = await runWithOnnxRuntime(encodeOnnx(model), input, [7, 6]);
  assert.ok(maxDifference(theirs, ours) <= 1e-5, `largest difference ${maxDifference(theirs, ours)}`);
});


const python = '/usr/bin/python3';
const hasOnnx = existsSync(python) && spawnSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;

test('onnx.checker.check_model(full_check=True) accepts our export', { skip: hasOnnx ? false : `${python} cannot import onnx (Debian's python3-onnx is not installed)` }, async () => {
  const path = join(folder, 'checked.onnx');
  saveOnnx(mlp(), path);
  const script = 'import onnx, sys\nmodel = onnx.load(sys.argv[1])\nonnx.checker.check_model(model, full_check=True)\nprint(model.opset_import[0].version, model.graph.input[0].type.tensor_type.shape.dim[0].dim_param)';
  const result = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '13 batch');
  const toolbox = join(folder, 'toolbox.onnx');
  saveOnnx(await toolboxModel(), toolbox);
  const checked = spawnSync(python, ['-c', script, toolbox], { encoding: 'utf8' });
  assert.equal(checked.status, 0, checked.stderr);
});

test('our export loads back in digitnet with the same predictions (Dropout, which ONNX does not carry, is gone; a softmax joins its Dense layer)', () => {
  const model = mlp();
  const path = join(folder, 'round-trip.onnx');
  saveOnnx(model, path);
  const loaded = loadOnnx(path);
  assert.deepEqual(loaded.layers.map((layer) => layer.className), ['Flatten', 'Dense', 'Dense', 'Dense', 'Dense']);
  assert.deepEqual(loaded.layers.map((layer) => (layer as { activation?: string }).activation ?? ''), ['', 'relu', 'sigmoid', 'tanh', 'softmax']);
  assert.ok(maxDifference(loaded.predict(tensor(images, [IMAGES, 28, 28])).data, model.predict(tensor(images, [IMAGES, 28, 28])).data) <= 1e-7);
});

test('a batch-normalized export loads back with its moving statistics; a negative variance or a training-mode node is refused', async () => {
  const model = sequential([
    flatten({ inputShape: [28, 28] }),
    dense({ units: 16, useBias: false }),
    batchNormalization(),
    activation('relu'),
    dense({ units: 10, activation: 'softmax' }),
  ], { seed: 3 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  // Trained a little, so that the moving statistics are not their initial 0 and 1.
  await model.fit(tensor(images, [IMAGES, 28, 28]), mnistTest.labels.subarray(0, IMAGES), { epochs: 2, batchSize: 20, verbose: 0, seed: 1 });
  const path = join(folder, 'batch-normalized.onnx');
  saveOnnx(model, path);
  const loaded = loadOnnx(path);
  assert.deepEqual(loaded.layers.map((layer) => layer.className), ['Flatten', 'Dense', 'BatchNormalization', 'Activation', 'Dense']);
  assert.ok(maxDifference(loaded.predict(tensor(images, [IMAGES, 28, 28])).data, model.predict(tensor(images, [IMAGES, 28, 28])).data) <= 1e-6);
  const statistics = (m: Sequential): Float32Array[] => m.layers[2]!.nonTrainableWeights.map((weight) => weight.values);
  assert.deepEqual(statistics(loaded), statistics(model));

  const variance = (bytes: Uint8Array, change: (graph: Record<string, any>) => void): string => {
    const decoded = decodeModel(bytes) as Record<string, any>;
    change(decoded.graph);
    const edited = join(folder, `edited-bn-${Math.random().toString(36).slice(2)}.onnx`);
    writeFileSync(edited, encodeModel(decoded));
    return edited;
  };
  const bytes = readFileSync(path);
  const negative = variance(bytes, (graph) => {
    const initializer = graph.initializer.find((entry: { name: string }) => entry.name.endsWith('/moving_variance'));
    new DataView(initializer.raw_data.buffer, initializer.raw_data.byteOffset).setFloat32(8, -0.5, true);
  });
  assert.throws(() => loadOnnx(negative), /: the moving_variance of a batch normalization holds -0\.5 at index 2; a variance cannot be negative\.$/);
  const training = variance(bytes, (graph) => {
    graph.node.find((node: { op_type: string }) => node.op_type === 'BatchNormalization').attribute.push({ name: 'training_mode', type: 2, i: 1 });
  });
  assert.throws(() => loadOnnx(training), /\(BatchNormalization\) is in training mode; digitnet reads the inference form\.$/);
});

for (const name of ['torch_mlp', 'torch_reshape_mlp']) {
  test(`${name}.onnx, written by torch.onnx.export, predicts as PyTorch did`, () => {
    const expected = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as { inputs: number[]; outputs: number[]; input_shape: number[] };
    const model = loadOnnx(join(fixtures, `${name}.onnx`));
    assert.deepEqual([...model.inputShape], [28, 28]);
    const predicted = model.predict(tensor(Float32Array.from(expected.inputs), expected.input_shape)).data;
    assert.ok(maxDifference(predicted, expected.outputs) <= 1e-5, `largest difference ${maxDifference(predicted, expected.outputs)}`);
  });
}

/** Our export of a small model, edited as plain objects and encoded again. */
function edited(change: (model: Record<string, any>) => void): string {
  const model = decodeModel(encodeOnnx(sequential([flatten({ inputShape: [2, 2] }), dense({ units: 3, activation: 'relu' })], { seed: 1 }))) as Record<string, any>;
  change(model);
  const path = join(folder, `edited-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(path, encodeModel(model));
  return path;
}

test('unsupported operators and opsets are refused in one sentence naming them and what is supported', () => {
  const conv = edited((model) => model.graph.node.splice(1, 0, { name: 'conv', op_type: 'Conv', input: ['flatten/output', 'dense/kernel'], output: ['conv/output'] }));
  assert.throws(() => loadOnnx(conv), (error: Error) => {
    assert.equal(error.message, `${conv} is not an ONNX model digitnet can read: node "conv" (Conv) is an operator digitnet does not read; supported are Gemm, MatMul, Add, Relu, Sigmoid, Tanh, Softmax, BatchNormalization, Flatten, Reshape, Identity, Dropout, Constant.`);
    return true;
  });
  const old = edited((model) => (model.opset_import[0].version = 8));
  assert.throws(() => loadOnnx(old), /uses opset 8 of the default domain; digitnet reads opsets 9 to 21\.$/);
  const other = edited((model) => (model.graph.node[1].domain = 'com.microsoft'));
  assert.throws(() => loadOnnx(other), /is from domain "com\.microsoft"; digitnet reads the default domain's Gemm, MatMul/);
});

test('bad files: each refused in one sentence naming the file and the problem', () => {
  const good = encodeOnnx(sequential([dense({ units: 3, inputShape: [4] })], { seed: 1 }));
  const write = (name: string, bytes: Uint8Array): string => {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return path;
  };
  const cases: [string, RegExp][] = [
    [write('truncated.onnx', good.subarray(0, good.length - 7)), /does not decode as an ONNX ModelProto .*it may be truncated, or another kind of file\.$/],
    [write('magic.onnx', Buffer.from('PK\u0003\u0004 not onnx at all')), /(does not decode as an ONNX ModelProto|has no graph or no opset_import)/],
    [write('empty.onnx', new Uint8Array(0)), /: it is empty\.$/],
    [edited((model) => (model.graph.initializer[0].dims = [5, 3])), /initializer "dense\/kernel" of shape \[5, 3\] needs 60 bytes of float32 but its raw_data has 48\./],
    [edited((model) => (model.graph.initializer[0].dims = [4, 3, 100000])), /declares dimension 100000; dimensions must be in 0\.\.65536\./],
    [edited((model) => (model.graph.initializer[0].dims = [65536, 65536])), /of shape \[65536, 65536\] needs 17179869184 bytes of float32 but its raw_data has 48\./],
    [edited((model) => (model.graph.initializer[0].data_type = 11)), /has data type DOUBLE; digitnet reads FLOAT weights and INT64 shapes\./],
    [edited((model) => model.graph.initializer.splice(1, 1)), /node "dense\/Gemm" \(Gemm\) reads "dense\/bias", which is not an initializer/],
    [edited((model) => new DataView(model.graph.initializer[0].raw_data.buffer, model.graph.initializer[0].raw_data.byteOffset).setFloat32(4, NaN, true)), /the kernel of a dense layer holds NaN at index 1; weights must be finite\./],
    [edited((model) => (model.graph.input[0].type.tensor_type.shape.dim[1] = { dim_param: 'width' })), /has dimension 1 "width"; only the batch dimension may be unknown\./],
    [edited((model) => (model.graph.initializer[0].data_location = 1)), /keeps its values in an external file/],
  ];
  for (const [path, pattern] of cases) {
    assert.throws(() => loadOnnx(path), (error: Error) => {
      assert.ok(error.message.startsWith(`${path} is not an ONNX model digitnet can read: `), error.message);
      assert.match(error.message, pattern);
      assert.equal(error.message.split('. ').length, 1, `one sentence: ${error.message}`);
      return true;
    });
  }
  assert.throws(() => loadOnnx(join(folder, 'missing.onnx')), /^Error: ONNX model .*missing\.onnx does not exist\.$/);
});

test('the bundled ONNX schema is what onnx.proto compiles to', () => {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/onnx-schema.js', import.meta.url)), '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
