/**
 * Bugs the Keras readers had (found while fuzzing them, test/fuzz/formats/keras*.ts), each kept
 * from coming back: HDF5's scratch files on the real disk, and files that are not regular files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dense, flatten, loadModel, sequential } from '../../src/index.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';

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
