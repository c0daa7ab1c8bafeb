/**
 * Bugs the model readers had (found while fuzzing the Keras formats, test/fuzz/formats/keras*.ts,
 * and the other model formats' fuzzing) kept from coming back: HDF5's scratch files on the real
 * disk, files that are not regular files, control characters quoted from a file into a message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dense, flatten, loadModel, sequential } from '../../src/index.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';
import { encodeOnnx, loadOnnx } from '../../src/saving/onnx/onnx-format.js';
import { loadTfjs, saveTfjs } from '../../src/saving/tfjs/tfjs-format.js';

after(closeHdf5);
const folder = mkdtempSync(join(tmpdir(), 'digitnet-keras-hostile-'));
const model = () => sequential([flatten({ inputShape: [2, 2] }), dense({ units: 3, activation: 'softmax' })], { seed: 1 });

test('HDF5 files are read and written in memory, not as /in0.h5 and /out0.h5 at the root that every process shares', async () => {
  // h5wasm's Node build worked on the real file system: two digitnet processes loading at once
  // read each other's bytes, and a user who may not write in / could load no .h5 or .keras file.
  const created: string[] = [];
  const watcher = watch('/', (_event, name) => name && created.push(String(name)));
  try {
    for (const name of ['m.h5', 'm.keras', 'm.weights.h5']) {
      const path = join(folder, name);
      if (name.endsWith('.weights.h5')) model().saveWeights(path);
      else model().save(path);
      if (name.endsWith('.weights.h5')) model().loadWeights(path);
      else loadModel(path);
    }
    // inotify's events arrive on a later turn.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  assert.deepEqual(created.filter((name) => /^(in|out)\d+\.h5$/.test(name)), []);
});

test('a FIFO or a character device named as a Keras or ONNX file is refused at once, not read forever', () => {
  const fifo = join(folder, 'pipe.keras');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status === 0) {
    assert.throws(() => loadModel(fifo), /pipe\.keras is a named pipe \(FIFO\), not a Keras file: give a file saved on disk\./);
    const h5 = join(folder, 'pipe.h5');
    spawnSync('mkfifo', [h5]);
    assert.throws(() => loadModel(h5), /pipe\.h5 is a named pipe \(FIFO\), not a Keras file/);
  }
  for (const name of ['zero.keras', 'zero.h5', 'zero.weights.h5', 'zero.onnx']) {
    const path = join(folder, name);
    symlinkSync('/dev/zero', path);
    const load = name.endsWith('.weights.h5') ? () => model().loadWeights(path) : () => loadModel(path);
    assert.throws(load, (error: Error) => {
      assert.match(error.message, new RegExp(`${name.replace('.', '\\.')} is a character device, not an? (Keras|ONNX) file: give a file saved on disk\\.`));
      return true;
    });
  }
});

test('control characters and newlines quoted from a file are escaped, so each refusal stays one line (.keras, TensorFlow.js, ONNX)', () => {
  const oneLine = (action: () => unknown, pattern: RegExp): void =>
    assert.throws(action, (error: Error) => {
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /[\u0000-\u001f]/, `control characters in: ${JSON.stringify(error.message)}`);
      return true;
    });
  // .keras: a layer name with a newline, quoted by the refusal of its activation.
  const keras = join(folder, 'names.keras');
  model().save(keras);
  const entries = unzipSync(new Uint8Array(readFileSync(keras)));
  const config = JSON.parse(strFromU8(entries['config.json']!));
  config.config.layers[2].config.name = 'two\nlines\u0001';
  config.config.layers[2].config.activation = 'relu6';
  writeFileSync(keras, zipSync({ ...entries, 'config.json': strToU8(JSON.stringify(config)) }, { level: 0 }));
  oneLine(() => loadModel(keras), /layer "two\\nlines\\x01" uses activation "relu6"/);
  // TensorFlow.js: bytes inserted into model.json, which JSON.parse quotes in its error (fuzz try 174).
  const tfjs = join(folder, 'tfjs');
  saveTfjs(model(), tfjs);
  const text = readFileSync(join(tfjs, 'model.json'), 'utf8');
  writeFileSync(join(tfjs, 'model.json'), text.replace('":', '":\n\u0002x'));
  oneLine(() => loadTfjs(join(tfjs, 'model.json')), /is not a TensorFlow\.js model digitnet can read: it is not JSON \(.*\\x02/);
  // ONNX: an operator name with a newline (fuzz try 1012 flipped bits of "Flatten"; here "Softmax").
  const bytes = Buffer.from(encodeOnnx(model()));
  for (let at = bytes.indexOf('Softmax'); at >= 0; at = bytes.indexOf('Softmax', at + 1)) bytes.write('So\nfmax', at, 'latin1');
  const onnx = join(folder, 'names.onnx');
  writeFileSync(onnx, bytes);
  oneLine(() => loadOnnx(onnx), /is an operator digitnet does not read/);
});
