import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment, type ResolvedExperiment } from '../../src/experiments/configs.js';
import { experimentReportInput, experimentSettings, runExperiment, runResolvedExperiment } from '../../src/experiments/run.js';
import type { Dense } from '../../src/layers/dense.js';
import { loadMnist } from '../../src/data/mnist.js';
import { takeFirst } from '../../src/data/transforms.js';
import { reportInputFromModel } from '../../src/report/from-model.js';
import { writeRunReport } from '../../src/report/report-html.js';
import { loadModel } from '../../src/saving/model-file.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-run-'));

test('a preset trains on the first 1000 images for 1 epoch and is measured on the test set', async () => {
  const epochs: number[] = [];
  const result = await runExperiment('mlp-256-dropout-128', { limit: 1000, maxEpochs: 1, seed: 7, onEpoch: (epoch, planned) => epochs.push(epoch, planned) });
  assert.equal(result.name, 'mlp-256-dropout-128');
  assert.equal(result.hiddenLayers, '256-d0.2-128');
  assert.equal(result.parameters, 235146);
  assert.equal(result.epochsRun, 1);
  assert.deepEqual(epochs, [1, 1]);
  assert.equal(result.evaluatedOn, 'test');
  assert.equal(result.evaluationSet.count, 10000);
  assert.equal(result.trainLabels.length, 1000);
  assert.deepEqual(result.model.inputShape, [28, 28]);
  assert.equal(result.history.val_accuracy.length, 1);
  assert.ok(result.testAccuracy > 0.5 && result.testAccuracy <= 1, `accuracy ${result.testAccuracy}`);
  assert.ok(Number.isFinite(result.testLoss) && result.seconds >= 0);
  assert.equal(result.interrupted, false);
  assert.equal(result.stoppedEpoch, undefined);
  // Trained on 1000 images for 1 epoch, it is not the notebook's run.
  assert.equal(result.reported, null);

  // The same seed gives the same model.
  const again = await runExperiment('mlp-256-dropout-128', { limit: 1000, maxEpochs: 1, seed: 7 });
  assert.equal(again.testAccuracy, result.testAccuracy);
  assert.equal(again.testLoss, result.testLoss);

  // Its run report, and the saved model's report.
  const report = await writeRunReport(join(folder, 'run'), experimentReportInput(result));
  assert.ok(existsSync(report.htmlPath));
  const metrics = JSON.parse(readFileSync(join(folder, 'run', 'metrics.json'), 'utf8')) as { test: { samples: number; accuracy: number } };
  assert.equal(metrics.test.samples, 10000);
  assert.ok(Math.abs(metrics.test.accuracy - result.testAccuracy) < 1e-9);

  const saved = join(folder, 'model.safetensors');
  result.model.save(saved);
  const input = reportInputFromModel(loadModel(saved), takeFirst(loadMnist().test, 500), { source: 'model.safetensors' });
  assert.equal(input.test.labels.length, 500);
  assert.equal(input.history, undefined);
  assert.equal(input.settings.loss, 'sparseCategoricalCrossentropy');
  assert.equal(input.modelSummary?.totalParams, 235146);
  assert.ok(input.test.loss !== undefined && input.test.accuracy !== undefined);
});

test('notebook 000 data is measured on its validation split', async () => {
  const result = await runExperiment({ preset: 'mlp-50-50', epochs: 1 }, { limit: 2000, seed: 3 });
  assert.equal(result.evaluatedOn, 'validation');
  assert.equal(result.evaluationSet.count, 500);
  assert.equal(result.trainLabels.length, 1500);
  assert.ok(Math.abs(result.testAccuracy - result.history.val_accuracy[0]!) < 1e-9);
  assert.equal(result.reported, null);
});

test("a limit or an epoch cap leaves out the notebook's figure, as a changed setting does in digitnet train", async () => {
  const { train, test: testSet } = loadMnist();
  const experiment: ResolvedExperiment = { ...resolveExperiment('baseline-32'), data: { name: 'a few digits', train: takeFirst(train, 300), test: takeFirst(testSet, 100) } };
  assert.equal((await runResolvedExperiment(experiment, { seed: 1 })).reported?.source, 'notebook 003');
  assert.equal((await runResolvedExperiment(experiment, { seed: 1, limit: 200 })).reported, null);
  assert.equal((await runResolvedExperiment(experiment, { seed: 1, maxEpochs: 1 })).reported, null);
});

test('a custom config with a sparse loss, early stopping and an aborted signal', async () => {
  const controller = new AbortController();
  controller.abort();
  const result = await runExperiment(
    { name: 'tiny', hidden: [{ units: 16 }], optimizer: 'sgd', learningRate: 0.1, loss: 'sparse_categorical_crossentropy', epochs: 5, validation: 0.1, earlyStoppingPatience: 1 },
    { limit: 500, signal: controller.signal },
  );
  assert.equal(result.interrupted, true);
  assert.equal(result.epochsRun, 0);
  assert.equal(result.parameters, 784 * 16 + 16 + 16 * 10 + 10);
  assert.ok(Number.isFinite(result.testAccuracy));
});

test('given images without a test set are measured on their validation split, with the activation asked for', async () => {
  const train = takeFirst(loadMnist().train, 400);
  const seen: number[] = [];
  const experiment: ResolvedExperiment = {
    ...resolveExperiment({ name: 'given', hidden: [{ units: 8 }], activation: 'tanh', optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', epochs: 1, validation: 0.25 }),
    data: { name: 'four hundred digits', train, test: null },
  };
  const result = await runResolvedExperiment(experiment, {
    seed: 1,
    onModel: (_model, _experiment, data) => seen.push(data.train.count, data.evaluation.count, data.trainLabels.length, data.test === null ? 0 : 1),
  });
  assert.deepEqual(seen, [400, 100, 300, 0]);
  assert.equal(result.evaluatedOn, 'validation');
  assert.equal(result.dataName, 'four hundred digits');
  assert.ok(Math.abs(result.testAccuracy - result.history.val_accuracy[0]!) < 1e-9);
  assert.deepEqual(result.model.layers.filter((layer) => layer.className === 'Dense').map((layer) => (layer as Dense).activation), ['tanh', 'softmax']);
  assert.equal(experimentSettings(result).activation, 'tanh');
  assert.equal(experimentSettings(result).data, 'four hundred digits');

  const given = (changes: Partial<ResolvedExperiment>): Promise<unknown> => runResolvedExperiment({ ...experiment, ...changes });
  await assert.rejects(given({ validation: 'test' }), /^Error: four hundred digits has no test set to validate on: use a validation split instead\.$/);
  await assert.rejects(given({ validation: null }), /four hundred digits has no test set, so it needs a validation split/);
  await assert.rejects(given({ limit: 1, validation: 0.5 }), /A validation split of 0\.5 of 1 images leaves no training or no validation images/);
  const unlabelled = { ...train, labels: new Uint8Array(0) };
  await assert.rejects(given({ data: { name: 'CSV file x.csv', train: unlabelled, test: null } }), /CSV file x\.csv has no labels/);
});

test('bad options are named', async () => {
  await assert.rejects(runExperiment('baseline-32', { limit: 0 }), /limit must be a positive integer; got 0\./);
  await assert.rejects(runExperiment('nope'), /experiment "nope": unknown preset "nope"/);
});
