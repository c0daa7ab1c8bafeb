import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  csvLogger,
  dense,
  formatFilepath,
  lambdaCallback,
  learningRateScheduler,
  loadModel,
  modelCheckpoint,
  reduceLROnPlateau,
  sequential,
  sgd,
  tensor,
  TerminateOnNaN,
  type CallbackModel,
} from '../../src/index.js';
import { Random } from '../../src/random/rng.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-callbacks-'));
const random = new Random(8);
const x = tensor(Float32Array.from({ length: 80 * 5 }, () => random.nextFloat()), [80, 5]);
const y = Int32Array.from({ length: 80 }, (_, i) => i % 3);

function model(learningRate = 0.05) {
  const built = sequential([dense({ units: 8, activation: 'relu', inputShape: [5] }), dense({ units: 3, activation: 'softmax' })], { seed: 1 });
  built.compile({ optimizer: sgd({ learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return built;
}

test('formatFilepath fills Keras\'s fields', () => {
  assert.equal(formatFilepath('m-{epoch:02d}-{val_loss:.4f}.safetensors', { epoch: 3, val_loss: 0.123456 }), 'm-03-0.1235.safetensors');
  assert.equal(formatFilepath('{epoch}-{loss:.2e}', { epoch: 12, loss: 0.000123 }), '12-1.23e-04');
  assert.throws(() => formatFilepath('{val_acc}', { epoch: 1, loss: 1 }), /^Error: modelCheckpoint\(\): filepath names \{val_acc\}, which the logs do not hold; available are epoch, loss\.$/);
});

test('modelCheckpoint saves each epoch to its own path, or only the best, and the files load', async () => {
  const every = modelCheckpoint(join(folder, 'every-{epoch:02d}-{val_loss:.3f}.safetensors'), { monitor: 'val_loss' });
  const best = modelCheckpoint(join(folder, 'best.safetensors'), { monitor: 'val_accuracy', saveBestOnly: true, saveWeightsOnly: true });
  const trained = model();
  const history = await trained.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0, seed: 1, validationSplit: 0.25, callbacks: [every, best] });
  assert.equal(every.saved.length, 4);
  every.saved.forEach((path, epoch) => assert.ok(path.endsWith(`every-0${epoch + 1}-${history.val_loss[epoch]!.toFixed(3)}.safetensors`), path));
  const improvements = history.val_accuracy.filter((value, epoch) => value > Math.max(-Infinity, ...history.val_accuracy.slice(0, epoch))).length;
  assert.equal(best.saved.length, improvements);
  assert.deepEqual(loadModel(every.saved[3]!).getWeights(), trained.getWeights());
  assert.equal(loadModel(join(folder, 'best.safetensors')).optimizer!.iterations, 0, 'saveWeightsOnly leaves the optimizer state out');
  assert.throws(() => modelCheckpoint(join(folder, 'x'), { saveFreq: 'batch' as never }), /^Error: modelCheckpoint\(\): saveFreq must be "epoch" or a positive integer; got "batch"\.$/);
  await assert.rejects(model().fit(x, y, { epochs: 1, verbose: 0, callbacks: [modelCheckpoint(join(folder, 'y'), { saveBestOnly: true })] }), /modelCheckpoint\(\) monitors "val_loss", which training does not report/);
});

test('reduceLROnPlateau multiplies the rate by factor after patience epochs without improvement, then cools down', () => {
  const optimizer = sgd({ learningRate: 1 });
  const fake = { stopTraining: false, weights: [], optimizer, getWeights: () => [], setWeights() {}, save() {} } satisfies CallbackModel;
  const callback = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.2 });
  callback.setModel(fake);
  callback.setParams({ epochs: 10, steps: 1, samples: 1, verbose: 0, metrics: ['loss'] });
  callback.onTrainBegin();
  const rates: number[] = [];
  [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95].forEach((loss, epoch) => {
    callback.onEpochEnd(epoch, { loss });
    rates.push(optimizer.learningRate);
  });
  // As Keras: best 0.9 at epoch 1; epochs 2, 3 do not improve: halve. The cooldown epoch 4 ends the
  // cooldown and still counts as a wait, so epoch 5 halves again; then epoch 7 stops at minLr 0.2.
  assert.deepEqual(rates, [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2]);
  assert.throws(() => reduceLROnPlateau({ factor: 1 }), /^Error: reduceLROnPlateau\(\): factor must be in \(0, 1\); got 1\.$/);
});

test('learningRateScheduler sets each epoch\'s rate and logs it; csvLogger writes one row per epoch', async () => {
  const path = join(folder, 'log.csv');
  const history = await model().fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: 1, callbacks: [learningRateScheduler((epoch, rate) => (epoch === 0 ? rate : rate / 10)), csvLogger(path)] });
  assert.deepEqual(history.history.learning_rate!.map((rate) => Number(rate.toPrecision(6))), [0.05, 0.005, 0.0005]);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'epoch,accuracy,learning_rate,loss');
  assert.equal(lines.length, 4);
  assert.equal(lines[2], `1,${history.accuracy[1]},${history.history.learning_rate![1]},${history.loss[1]}`);
  assert.throws(() => learningRateScheduler(5 as never), /^Error: learningRateScheduler\(\): schedule must be a function/);
});

test('terminateOnNaN stops at the first non-finite loss; lambdaCallback runs the functions given', async () => {
  const lines: string[] = [];
  const terminate = new TerminateOnNaN((line) => lines.push(line));
  const seen: string[] = [];
  const trained = model(1e30);
  await trained.fit(x, y, {
    epochs: 3,
    batchSize: 8,
    verbose: 0,
    seed: 1,
    callbacks: [terminate, lambdaCallback({ onEpochBegin: (epoch) => void seen.push(`begin ${epoch}`), onTrainEnd: () => void seen.push('end') })],
  });
  assert.ok(terminate.stoppedBatch !== undefined && lines[0] === `Batch ${terminate.stoppedBatch}: Invalid loss, terminating training`, lines.join('|'));
  assert.deepEqual(seen, ['begin 0', 'end']);
  assert.throws(() => lambdaCallback({ onEpochEnd: 3 as never }), /^Error: lambdaCallback\(\): onEpochEnd must be a function; got 3\.$/);
  assert.ok(!existsSync(join(folder, 'nothing')));
});
