import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { activation, dense, dropout, flatten, loadMnist, sequential, tensor, type Sequential } from '../../src/index.js';
import { loadTfjs, saveTfjs } from '../../src/saving/tfjs/tfjs-format.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-tfjs-'));
const IMAGES = 100;
const { test: mnistTest } = loadMnist();
const images = mnistTest.images.subarray(0, IMAGES * 784);
const scaled = Float32Array.from(images, (value) => value / 255);

await tf.setBackend('cpu');

function digitnetModel(): Sequential {
  // 784 × 1400 float32 kernel is 4.4 MB, so the export needs two 4 MB shards.
  return sequential(
    [
      flatten({ inputShape: [28, 28] }),
      dense({ units: 1400, activation: 'relu', kernelInitializer: 'heNormal' }),
      dropout({ rate: 0.2 }),
      dense({ units: 24, activation: 'tanh' }),
      dense({ units: 12, activation: 'sigmoid' }),
      dense({ units: 10 }),
      activation({ activation: 'softmax' }),
    ],
    { seed: 5 },
  );
}

/** A file IO handler for tf.loadLayersModel: reads model.json and its shards as tfjs's http loader would. */
function fileHandler(directory: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const shards = modelJson.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(directory, path))));
      const weightData = new Uint8Array(shards.reduce((sum, shard) => sum + shard.length, 0));
      let offset = 0;
      for (const shard of shards) {
        weightData.set(shard, offset);
        offset += shard.length;
      }
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
      };
    },
  };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]! - b[index]!));
  return largest;
}

test('tf.loadLayersModel reads our export and predicts as digitnet on 100 MNIST test images', async () => {
  const model = digitnetModel();
  const directory = join(folder, 'web');
  saveTfjs(model, directory);
  assert.deepEqual(readdirSync(directory).sort(), ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
  assert.equal(readFileSync(join(directory, 'group1-shard1of2.bin')).length, 4 * 1024 * 1024);
  const modelJson = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(modelJson.format, 'layers-model');
  assert.match(String(modelJson.generatedBy), /^digitnet /);

  const loaded = await tf.loadLayersModel(fileHandler(directory));
  assert.deepEqual(loaded.inputs[0]!.shape, [null, 28, 28]);
  const theirs = (loaded.predict(tf.tensor(scaled, [IMAGES, 28, 28])) as tf.Tensor).dataSync();
  const ours = model.predict(tensor(images, [IMAGES, 28, 28])).data;
  assert.ok(maxDifference(theirs, ours) <= 1e-5, `largest difference ${maxDifference(theirs, ours)}`);
  // And back: digitnet reads its own export with the same config and weights.
  const again = loadTfjs(directory);
  assert.deepEqual(again.getConfig(), model.getConfig());
  assert.deepEqual(again.getWeights(), model.getWeights());
});

test('a model built and saved by TensorFlow.js loads in digitnet with the same predictions', async () => {
  const theirs = tf.sequential();
  theirs.add(tf.layers.flatten({ inputShape: [28, 28] }));
  theirs.add(tf.layers.dense({ units: 40, activation: 'relu' }));
  theirs.add(tf.layers.dropout({ rate: 0.3 }));
  theirs.add(tf.layers.dense({ units: 10, useBias: false }));
  theirs.add(tf.layers.activation({ activation: 'softmax' }));
  let artifacts: tf.io.ModelArtifacts | undefined;
  await theirs.save(tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const directory = join(folder, 'from-tfjs');
  mkdirSync(directory);
  // What tfjs's file and browser savers write: model.json naming one weights file.
  const modelJson = {
    modelTopology: artifacts!.modelTopology,
    format: artifacts!.format,
    generatedBy: artifacts!.generatedBy,
    convertedBy: artifacts!.convertedBy,
    weightsManifest: [{ paths: ['./model.weights.bin'.slice(2)], weights: artifacts!.weightSpecs }],
  };
  writeFileSync(join(directory, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(directory, 'model.weights.bin'), new Uint8Array(artifacts!.weightData as ArrayBuffer));

  const model = loadTfjs(join(directory, 'model.json'));
  assert.deepEqual([...model.inputShape], [28, 28]);
  assert.deepEqual(model.layers.map((layer) => layer.className), ['Flatten', 'Dense', 'Dropout', 'Dense', 'Activation']);
  const expected = (theirs.predict(tf.tensor(scaled, [IMAGES, 28, 28])) as tf.Tensor).dataSync();
  const ours = model.predict(tensor(images, [IMAGES, 28, 28])).data;
  assert.ok(maxDifference(expected, ours) <= 1e-5, `largest difference ${maxDifference(expected, ours)}`);
});

test('a Keras model converted by tensorflowjs_converter (model_config, InputLayer with batch_shape, a DTypePolicy, Keras names) loads', () => {
  const directory = join(folder, 'converted');
  mkdirSync(directory);
  const kernel = Float32Array.from({ length: 6 }, (_, index) => index / 10 - 0.2);
  const bias = Float32Array.of(0.5, -0.5);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.13.1',
    convertedBy: 'TensorFlow.js Converter v4.10.0',
    modelTopology: {
      keras_version: '2.13.1',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' } },
            { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }, units: 2, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } } },
          ],
        },
      },
      training_config: { loss: 'sparse_categorical_crossentropy' },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'dense/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' }] }],
  };
  writeFileSync(join(directory, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(directory, 'group1-shard1of1.bin'), Buffer.concat([Buffer.from(kernel.buffer), Buffer.from(bias.buffer)]));
  const model = loadTfjs(directory);
  const x = Float32Array.of(1, 2, 3);
  const logits = [0, 1].map((unit) => bias[unit]! + x.reduce((sum, value, row) => sum + value * kernel[row * 2 + unit]!, 0));
  const exponentials = logits.map(Math.exp);
  const expected = exponentials.map((value) => value / (exponentials[0]! + exponentials[1]!));
  assert.ok(maxDifference(model.predict(tensor(x, [1, 3])).data, expected) <= 1e-6);
});

test('exporting over a folder: an earlier export is replaced, anything else is refused', () => {
  const model = sequential([dense({ units: 3, inputShape: [4] })], { seed: 1 });
  const directory = join(folder, 'again');
  saveTfjs(model, directory);
  const other = sequential([dense({ units: 2, inputShape: [4] })], { seed: 2 });
  saveTfjs(other, join(directory, 'model.json'));
  assert.deepEqual(loadTfjs(directory).getWeights(), other.getWeights());
  saveTfjs(model, `${directory}/`);
  assert.deepEqual(loadTfjs(directory).getWeights(), model.getWeights());
  saveTfjs(other, directory);
  assert.deepEqual(loadTfjs(directory).getWeights(), other.getWeights());
  assert.ok(!readdirSync(folder).some((name) => name.endsWith('.tmp') || name.endsWith('.old')), 'nothing temporary is left');

  const userFolder = join(folder, 'user');
  mkdirSync(userFolder);
  writeFileSync(join(userFolder, 'notes.txt'), 'mine');
  assert.throws(() => saveTfjs(model, userFolder), /^Error: Cannot write .*user: the folder holds files that are not an earlier TensorFlow.js export \(notes.txt\); give an empty or new folder\.$/);
  assert.equal(readFileSync(join(userFolder, 'notes.txt'), 'utf8'), 'mine');
  writeFileSync(join(folder, 'a-file'), 'x');
  assert.throws(() => saveTfjs(model, join(folder, 'a-file')), /it is a file/);
});

test('bad exports: each refused in one sentence naming model.json and the problem', () => {
  const model = sequential([flatten({ inputShape: [2, 2] }), dense({ units: 3, activation: 'relu' })], { seed: 3 });
  let counter = 0;
  /** Our export of the small model, with model.json and the shard edited. */
  const broken = (change: (json: Record<string, any>, shard: Buffer) => unknown): string => {
    const directory = join(folder, `bad-${counter++}`);
    saveTfjs(model, directory);
    const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as Record<string, any>;
    const shard = readFileSync(join(directory, 'group1-shard1of1.bin'));
    const returned = change(json, shard);
    const newShard = Buffer.isBuffer(returned) ? returned : shard;
    writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
    writeFileSync(join(directory, 'group1-shard1of1.bin'), newShard);
    return directory;
  };
  const outside = join(folder, 'outside.bin');
  writeFileSync(outside, new Uint8Array(60));
  const cases: [string, RegExp][] = [
    [broken((_, shard) => shard.subarray(0, 20)), /weight group 1 declares 60 bytes of weights but its shards \(group1-shard1of1\.bin\) hold 20\.$/],
    [broken((json) => (json.weightsManifest[0].weights[0].shape = [5, 3])), /weight "dense\/kernel" has shape \[5, 3\]|declares 72 bytes/],
    [broken((json) => (json.weightsManifest[0].weights[0].dtype = 'int32')), /weight "dense\/kernel" has dtype "int32"; digitnet reads float32 weights only\.$/],
    [broken((json) => json.weightsManifest[0].weights.pop()), /it has no weight "dense\/bias" for layer dense|declares 48 bytes/],
    [broken((json) => (json.weightsManifest[0].weights[0].shape = [4, 3, 70000])), /with a dimension above the 65536 allowed\.$/],
    [broken((json) => (json.weightsManifest[0].weights[0].shape = [65536, 65536])), /weights add up to more than the 1073741824 bytes allowed\.$/],
    [broken((_, shard) => (shard.writeFloatLE(NaN, 8), shard)), /the kernel of dense holds NaN at index 2; weights must be finite\.$/],
    [broken((json) => (json.weightsManifest[0].paths = ['../outside.bin'])), /weight shard path "\.\.\/outside\.bin" leaves or walks around the model folder\.$/],
    [broken((json) => (json.weightsManifest[0].paths = [outside])), /is absolute; shards must be files beside model\.json\.$/],
    [broken((json) => (json.weightsManifest[0].paths = ['https://example.com/w.bin'])), /is a URL; shards must be files beside model\.json\.$/],
    [broken((json, shard) => (symlinkSync(outside, join(folder, `bad-${counter - 1}`, 'link.bin')), (json.weightsManifest[0].paths = ['link.bin']), shard)), /weight shard "link\.bin" is a link that leads out of the model folder\.$/],
    [broken((json) => (json.format = 'graph-model')), /it is a graph model \(for tf\.loadGraphModel\); digitnet reads layers models\.$/],
    [broken((json) => (json.modelTopology.config.layers[1].class_name = 'Conv2D')), /layer 1 is a "Conv2D", which digitnet does not read; supported are InputLayer, Dense, Dropout, Flatten, Activation\.$/],
    [broken((json) => (json.modelTopology.config.layers[1] = { class_name: 'Lambda', config: { function: 'os.system' } })), /layer 1 is a "Lambda", which digitnet does not read/],
    [broken((json) => (json.modelTopology.config.layers[1].config.activation = 'elu')), /uses activation "elu"; supported are relu, sigmoid, tanh, softmax, linear\.$/],
    [broken((json) => (json.modelTopology.config.layers[0].config.batch_input_shape = [null, 300, 300])), /holds 90000 values per sample, more than the 65536 allowed\.$/],
  ];
  for (const [directory, pattern] of cases) {
    assert.throws(() => loadTfjs(directory), (error: Error) => {
      assert.ok(error.message.startsWith(`${join(directory, 'model.json')} is not a TensorFlow.js model digitnet can read: `), error.message);
      assert.match(error.message, pattern);
      return true;
    });
  }
  const notJson = broken(() => undefined);
  writeFileSync(join(notJson, 'model.json'), '\u0089PNG\r\n');
  assert.throws(() => loadTfjs(notJson), /model\.json is not a TensorFlow\.js model digitnet can read: it is not JSON \(/);
  assert.throws(() => loadTfjs(join(folder, 'nowhere')), /^Error: TensorFlow\.js model .*nowhere\/model\.json does not exist\.$/);
});
