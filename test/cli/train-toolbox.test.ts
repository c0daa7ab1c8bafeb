import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveTrainConfig, trainExperiment } from '../../src/cli/commands/train.js';
import { configuredOptimizer } from '../../src/optimizers/configured.js';
import { AdamW, CosineDecay } from '../../src/index.js';
import { buildMlp, buildPresetModel, findPreset, NOTEBOOK_PRESETS } from '../../src/models/presets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'digitnet.js');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-train-toolbox-'));

test('--optimizer adamw --weight-decay --schedule cosine give AdamW with that decay and a cosine over all the steps', () => {
  const config = resolveTrainConfig({ optimizer: 'adamw', weightDecay: '1e-4', schedule: 'cosine', lr: '0.002', epochs: '3', backupDir: join(folder, 'b') });
  assert.equal(config.weightDecay, 1e-4);
  assert.equal(config.schedule, 'cosine');
  assert.ok(config.overrides.includes('weightDecay') && config.overrides.includes('schedule'));
  const optimizer = configuredOptimizer(trainExperiment(config, 'mnist'), { epochs: 3, stepsPerEpoch: 469 });
  assert.ok(optimizer instanceof AdamW);
  assert.equal(optimizer.weightDecay, 1e-4);
  assert.ok(optimizer.schedule instanceof CosineDecay);
  assert.deepEqual(optimizer.schedule.getConfig(), { initialLearningRate: 0.002, decaySteps: 1407, alpha: 0, warmupSteps: 0 });
  // Nothing asked: the optimizer's name, as before.
  const plain = resolveTrainConfig({});
  assert.equal(configuredOptimizer(trainExperiment(plain, 'mnist'), { epochs: 1, stepsPerEpoch: 100 }), plain.optimizer);
  assert.throws(() => resolveTrainConfig({ schedule: 'linear' }), /--schedule "linear" is not a known learning-rate schedule: allowed are constant, cosine\./);
  assert.throws(() => resolveTrainConfig({ weightDecay: '-1' }), /--weight-decay/);
});

test('digitnet train --backup-dir trains, and leaves no backup once done', () => {
  const backupDir = join(folder, 'backup');
  const json = join(folder, 'run.json');
  const run = spawnSync(
    process.execPath,
    [bin, 'train', '--limit', '600', '--epochs', '2', '--optimizer', 'adamw', '--weight-decay', '1e-4', '--schedule', 'cosine', '--backup-dir', backupDir, '--seed', '1', '--quiet', '--json', json],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(readFileSync(json, 'utf8')) as { config: { optimizer: string; weightDecay: number; schedule: string }; epochs: number };
  assert.deepEqual([result.config.optimizer, result.config.weightDecay, result.config.schedule, result.epochs], ['adamw', 1e-4, 'cosine', 2]);
  assert.ok(!existsSync(join(backupDir, 'backup.safetensors')));
});

test('--augment puts the augmentation layers in front of the model; a bad part is refused in one sentence', () => {
  const config = resolveTrainConfig({ augment: 'rotation=10,elastic' });
  assert.deepEqual(config.augment, { rotationDegrees: 10, elastic: { alpha: 34, sigma: 4 } });
  assert.ok(config.overrides.includes('augment'));
  const experiment = trainExperiment(config, 'mnist');
  const model = buildMlp(experiment.hidden, { inputShape: [28, 28], augment: experiment.augment ?? null });
  assert.deepEqual(model.layers.slice(0, 3).map((layer) => layer.className), ['RandomRotation', 'RandomElasticTransform', 'Flatten']);
  assert.equal(resolveTrainConfig({}).augment, null);
  assert.throws(() => resolveTrainConfig({ augment: 'shear=3' }), /^UsageError: --augment "shear=3" is not a known augmentation: allowed are rotation=DEGREES/);
  assert.throws(() => buildMlp([{ units: 8 }], { inputShape: [784], augment: { rotationDegrees: 5 } }), /Augmentation warps images, but the model's samples have shape \[784\]/);
});

test('the recipe presets bring their AdamW, cosine and augmentation to train, and options still override them', () => {
  const config = resolveTrainConfig({ preset: 'mlp-augmented' });
  assert.equal(config.optimizer, 'adamw');
  assert.equal(config.schedule, 'cosine');
  assert.ok(config.learningRate !== null && config.weightDecay !== null && config.augment !== null);
  assert.deepEqual(config.overrides, []);
  assert.deepEqual(config.validation, { kind: 'none' });
  const preset = findPreset('mlp-augmented');
  const model = buildPresetModel(preset, 1);
  assert.equal(model.layers[0]!.className, 'RandomRotation');
  const optimizer = model.optimizer;
  assert.ok(optimizer instanceof AdamW && optimizer.schedule instanceof CosineDecay);
  // One epoch of warm-up, then the cosine over the other epochs' steps.
  assert.equal(optimizer.schedule.getConfig().warmupSteps, 469);
  assert.equal(optimizer.schedule.getConfig().decaySteps, (preset.epochs - 1) * 469);
  assert.deepEqual(model.layers.slice(3, 6).map((layer) => layer.className), ['Dense', 'BatchNormalization', 'Activation']);
  assert.equal(optimizer.weightDecay, preset.weightDecay);
  // Through the runner the same: the cosine spans the epochs actually asked for.
  const short = resolveTrainConfig({ preset: 'mlp-augmented', epochs: '2', schedule: 'constant' });
  assert.equal(short.schedule, 'constant');
  assert.deepEqual(short.overrides, ['schedule', 'epochs']);
  const plain = resolveTrainConfig({ preset: 'mlp-800-800' });
  assert.equal(plain.augment, null);
  assert.equal(plain.optimizer, 'adamw');
  // Neither is one of the notebooks' models, so compare and the studio leave them out.
  assert.ok(!NOTEBOOK_PRESETS.some((candidate) => candidate.notebook === 'recipe'));
});

test('a --save whose format cannot hold the model, or whose folder may not be replaced, is refused before training', () => {
  const keras = join(folder, 'augmented.keras');
  const run = spawnSync(process.execPath, [bin, 'train', '--preset', 'mlp-augmented', '--limit', '256', '--epochs', '1', '--save', keras], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--save .*augmented\.keras cannot hold this model: Layer "random_rotation" \(RandomRotation\) cannot be written to a Keras file: Keras's image layers take \[height, width, channels\] images/);
  assert.doesNotMatch(run.stdout, /Epoch 1\/1/);
  assert.equal(existsSync(keras), false);
  // A TensorFlow.js export goes into model.json's folder, which must be empty or an earlier export.
  const busy = join(folder, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'mine');
  const tfjs = spawnSync(process.execPath, [bin, 'train', '--limit', '256', '--epochs', '1', '--save', join(busy, 'model.json')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(tfjs.status, 2, tfjs.stderr);
  assert.match(tfjs.stderr, /the folder holds files that are not an earlier TensorFlow\.js export \(notes\.txt\)/);
  assert.doesNotMatch(tfjs.stdout, /Epoch 1\/1/);
  assert.deepEqual(readdirSync(busy), ['notes.txt']);
});

test('--warmup-epochs raises the rate linearly before the cosine; without a cosine it is refused', () => {
  const config = resolveTrainConfig({ optimizer: 'adamw', schedule: 'cosine', lr: '0.002', epochs: '10', warmupEpochs: '2' });
  assert.equal(config.warmupEpochs, 2);
  const optimizer = configuredOptimizer(trainExperiment(config, 'mnist'), { epochs: 10, stepsPerEpoch: 469 });
  assert.ok(optimizer instanceof AdamW && optimizer.schedule instanceof CosineDecay);
  assert.deepEqual(optimizer.schedule.getConfig(), { initialLearningRate: 0.00002, decaySteps: 8 * 469, alpha: 0, warmupTarget: 0.002, warmupSteps: 2 * 469 });
  // Halfway through the warm-up, halfway from 1% to the peak; at its end, the peak.
  assert.ok(Math.abs(optimizer.schedule.at(469) - (0.00002 + 0.002) / 2) < 1e-9);
  assert.ok(Math.abs(optimizer.schedule.at(2 * 469) - 0.002) < 1e-9);
  assert.throws(() => resolveTrainConfig({ warmupEpochs: '1' }), /^UsageError: --warmup-epochs 1 warms up a cosine schedule: add --schedule cosine\.$/);
  assert.equal(resolveTrainConfig({ preset: 'mlp-augmented', schedule: 'constant' }).warmupEpochs, null);
});
