import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveTrainConfig, trainExperiment } from '../../src/cli/commands/train.js';
import { experimentOptimizer } from '../../src/experiments/run.js';
import { AdamW, CosineDecay } from '../../src/index.js';
import { buildMlp } from '../../src/models/presets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'digitnet.js');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-train-toolbox-'));

test('--optimizer adamw --weight-decay --schedule cosine give AdamW with that decay and a cosine over all the steps', () => {
  const config = resolveTrainConfig({ optimizer: 'adamw', weightDecay: '1e-4', schedule: 'cosine', lr: '0.002', epochs: '3', backupDir: join(folder, 'b') });
  assert.equal(config.weightDecay, 1e-4);
  assert.equal(config.schedule, 'cosine');
  assert.ok(config.overrides.includes('weightDecay') && config.overrides.includes('schedule'));
  const optimizer = experimentOptimizer(trainExperiment(config, 'mnist'), 3 * 469);
  assert.ok(optimizer instanceof AdamW);
  assert.equal(optimizer.weightDecay, 1e-4);
  assert.ok(optimizer.schedule instanceof CosineDecay);
  assert.deepEqual(optimizer.schedule.getConfig(), { initialLearningRate: 0.002, decaySteps: 1407, alpha: 0, warmupSteps: 0 });
  // Nothing asked: the optimizer's name, as before.
  const plain = resolveTrainConfig({});
  assert.equal(experimentOptimizer(trainExperiment(plain, 'mnist'), 100), plain.optimizer);
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
