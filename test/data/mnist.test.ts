import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIdx } from '../../src/data/idx.js';
import { loadImageFolder, loadMnist } from '../../src/data/mnist.js';
import { classCounts } from '../../src/data/transforms.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-folder-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

test('loadMnist gives 60000 + 10000 28×28 images with labels', () => {
  const { train, test: testSet } = loadMnist();
  assert.equal(train.count, 60000);
  assert.equal(train.rows, 28);
  assert.equal(train.cols, 28);
  assert.equal(train.images.length, 60000 * 28 * 28);
  assert.equal(train.labels.length, 60000);
  assert.equal(testSet.count, 10000);
  assert.equal(testSet.images.length, 10000 * 784);
  assert.equal(testSet.labels.length, 10000);
  assert.equal(train.labels[0], 5);
  assert.equal(testSet.labels[0], 7);
  const trainCounts = classCounts(train.labels);
  assert.equal(trainCounts.reduce((a, b) => a + b, 0), 60000);
  // Well-known MNIST class sizes: 5923 zeros and 6742 ones in training.
  assert.equal(trainCounts[0], 5923);
  assert.equal(trainCounts[1], 6742);
  assert.equal(classCounts(testSet.labels).reduce((a, b) => a + b, 0), 10000);
});

test('loadMnist caches: repeated calls return the same objects', () => {
  assert.equal(loadMnist(), loadMnist());
  assert.equal(loadMnist({ combined: true }), loadMnist({ combined: true }));
});

test('loadMnist combined is training then test (OpenML mnist_784 order)', () => {
  const { train, test: testSet } = loadMnist();
  const { all } = loadMnist({ combined: true });
  assert.equal(all.count, 70000);
  assert.equal(all.labels.length, 70000);
  assert.equal(all.images.length, 70000 * 784);
  assert.deepEqual(all.images.subarray(0, 784), train.images.subarray(0, 784));
  assert.deepEqual(all.images.subarray(59999 * 784, 60000 * 784), train.images.subarray(59999 * 784));
  assert.deepEqual(all.images.subarray(60000 * 784, 60001 * 784), testSet.images.subarray(0, 784));
  assert.equal(all.labels[60000], testSet.labels[0]);
  assert.deepEqual(all.labels.subarray(60000), testSet.labels);
});

function writeSet(dir: string, prefix: string, names: { images: string; labels: string }, labels: number[]): void {
  const count = labels.length;
  const images = new Uint8Array(count * 4 * 3).map((_, index) => index % 256);
  writeIdx(join(dir, `${prefix}${names.images}`), [count, 4, 3], images);
  writeIdx(join(dir, `${prefix}${names.labels}`), [count], Uint8Array.from(labels));
}

test('loadImageFolder reads gzipped and dotted spellings', () => {
  const dir = join(folder, 'mixed');
  mkdirSync(dir);
  writeSet(dir, 'train', { images: '-images-idx3-ubyte.gz', labels: '-labels-idx1-ubyte.gz' }, [0, 1, 2, 9]);
  writeSet(dir, 't10k', { images: '-images.idx3-ubyte', labels: '-labels.idx1-ubyte' }, [3, 4]);
  const { train, test: testSet } = loadImageFolder(dir);
  assert.equal(train.count, 4);
  assert.equal(train.rows, 4);
  assert.equal(train.cols, 3);
  assert.deepEqual(Array.from(train.labels), [0, 1, 2, 9]);
  assert.equal(train.images[13], 13);
  assert.equal(testSet.count, 2);
});

test('loadImageFolder lists what it looked for', () => {
  const dir = join(folder, 'empty');
  mkdirSync(dir);
  assert.throws(() => loadImageFolder(dir), {
    message: `No training images found in ${dir}: looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz, train-images.idx3-ubyte, train-images.idx3-ubyte.gz.`,
  });
  assert.throws(() => loadImageFolder(join(folder, 'absent')), { message: `Image folder ${join(folder, 'absent')} not found.` });
});

test('loadImageFolder rejects labels outside 0..9 and count mismatches', () => {
  const dir = join(folder, 'bad');
  mkdirSync(dir);
  writeSet(dir, 'train', { images: '-images-idx3-ubyte', labels: '-labels-idx1-ubyte' }, [0, 12]);
  writeSet(dir, 't10k', { images: '-images-idx3-ubyte', labels: '-labels-idx1-ubyte' }, [1]);
  assert.throws(() => loadImageFolder(dir), {
    message: `${join(dir, 'train-labels-idx1-ubyte')}: label 12 at index 1 is outside 0..9.`,
  });
  writeIdx(join(dir, 'train-labels-idx1-ubyte'), [3], Uint8Array.from([0, 1, 2]));
  assert.throws(() => loadImageFolder(dir), /has 3 labels but .*train-images-idx3-ubyte has 2 images; they must match\.$/);
});
