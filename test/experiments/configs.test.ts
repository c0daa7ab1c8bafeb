import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInComparison, loadComparisonFile } from '../../src/experiments/compare.js';
import { resolveExperiment } from '../../src/experiments/configs.js';
import { NOTEBOOK_PRESETS } from '../../src/models/presets.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-configs-'));

function comparisonFile(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

test('a preset name resolves to its notebook settings and reported figure', () => {
  const experiment = resolveExperiment('mlp-512-512-dropout');
  assert.equal(experiment.preset, 'mlp-512-512-dropout');
  assert.deepEqual(experiment.hidden, [{ units: 512, dropout: 0.2 }, { units: 512, dropout: 0.2 }]);
  assert.equal(experiment.optimizer, 'adam');
  assert.equal(experiment.epochs, 200);
  assert.equal(experiment.batchSize, 128);
  assert.equal(experiment.validation, 'test');
  assert.equal(experiment.earlyStoppingPatience, 3);
  assert.deepEqual(experiment.reported, { metric: 'test accuracy', accuracy: 0.9805, loss: 0.073, source: 'notebook 002' });
});

test('a preset with changes keeps the rest of the preset', () => {
  const experiment = resolveExperiment({ preset: 'baseline-32', epochs: 2, name: 'quick', learningRate: 0.01 });
  assert.equal(experiment.name, 'quick');
  assert.equal(experiment.epochs, 2);
  assert.equal(experiment.learningRate, 0.01);
  assert.equal(experiment.optimizer, 'rmsprop');
  assert.equal(experiment.batchSize, 64);
  // Notebook 003's final fit, which its figure measures, used all the training images.
  assert.equal(experiment.validation, null);
  assert.equal(resolveExperiment({ preset: 'baseline-32', validation: 0.15 }).validation, 0.15);
  // A changed setting makes it another model than the notebook's, as with digitnet train's options.
  assert.equal(experiment.reported, null);
  assert.equal(resolveExperiment({ preset: 'baseline-32', name: 'b32', seed: 3 }).reported?.accuracy, 0.9608);
});

test('a custom config gets Keras defaults and accepts snake_case losses', () => {
  const experiment = resolveExperiment({ name: 'wide', hidden: [{ units: 64 }], optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', epochs: 1 });
  assert.equal(experiment.loss, 'sparseCategoricalCrossentropy');
  assert.equal(experiment.batchSize, 32);
  assert.equal(experiment.validation, null);
  assert.deepEqual(experiment.inputShape, [784]);
  assert.equal(experiment.data, 'mnist');
  assert.equal(experiment.reported, null);
  assert.equal(experiment.activation, 'relu');
  assert.equal(experiment.optimizer, 'sgd');
});

test('the hidden activation can be changed, in a preset or a custom config', () => {
  assert.equal(resolveExperiment('baseline-32').activation, 'relu');
  assert.equal(resolveExperiment({ preset: 'baseline-32', activation: 'sigmoid' }).activation, 'sigmoid');
  const custom = resolveExperiment({ name: 't', hidden: [{ units: 8 }], activation: 'tanh', optimizer: 'adam', loss: 'categoricalCrossentropy', epochs: 1 });
  assert.equal(custom.activation, 'tanh');
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', activation: 'gelu' }), /activation must be one of "relu", "sigmoid", "tanh"; got "gelu"\./);
});

test('bad configs are named with the field and the value', () => {
  assert.throws(() => resolveExperiment('mlp-9000'), /unknown preset "mlp-9000"; allowed are .*baseline-32/);
  assert.throws(
    () => resolveExperiment({ name: 'x', hidden: [{ units: 0 }], optimizer: 'adam', loss: 'categoricalCrossentropy', epochs: 1 }),
    /hidden\[0\]\.units must be a positive integer; got 0\./,
  );
  assert.throws(() => resolveExperiment({ name: 'x', hidden: [], optimizer: 'adam', loss: 'hinge', epochs: 1 }), /loss must be one of categoricalCrossentropy/);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', validation: 1.5 }), /validation must be "test", a fraction in \(0, 1\) or null/);
  assert.throws(() => resolveExperiment({ preset: 'mlp-50-50', validation: 'test' }), /needs a test set, which data "combined"/);
  assert.throws(() => resolveExperiment({ preset: 'mlp-512-rmsprop', earlyStoppingPatience: 2 }), /watches val_loss, which needs validation/);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', epoch: 3 }), /unknown option "epoch"/);
  assert.throws(() => resolveExperiment(42), /must be a preset name or an object/);
});

test('the built-in comparison has every preset, notebook 000 trained on 20% and on 75%', () => {
  const configs = builtInComparison();
  assert.deepEqual(configs, NOTEBOOK_PRESETS.map((preset) => preset.name));
  const shares = configs.map((config) => resolveExperiment(config)).filter((experiment) => experiment.data === 'combined').map((experiment) => experiment.validation);
  assert.deepEqual(shares, [0.8, 0.25, 0.8, 0.25]);
});

test('loadComparisonFile reads preset names, presets with changes and custom runs', () => {
  const path = comparisonFile(
    'good.json',
    JSON.stringify({
      runs: ['baseline-32', { preset: 'baseline-512', epochs: 1 }, { name: 'tiny', hidden: [{ units: 16, dropout: 0.1 }], optimizer: 'adam', loss: 'categorical_crossentropy', epochs: 2 }],
    }),
  );
  const runs = loadComparisonFile(path);
  assert.equal(runs.length, 3);
  assert.equal(resolveExperiment(runs[2]).name, 'tiny');
});

test('loadComparisonFile names the file, the run and the field that is wrong', () => {
  assert.throws(() => loadComparisonFile(join(folder, 'missing.json')), /Comparison file .*missing\.json not found\./);
  assert.throws(() => loadComparisonFile(comparisonFile('broken.json', '{ "runs": [ ')), /broken\.json is not valid JSON: /);
  assert.throws(() => loadComparisonFile(comparisonFile('array.json', '[]')), /array\.json must hold an object like \{ "runs": \[ \.\.\. \] \}; got \[\]\./);
  assert.throws(() => loadComparisonFile(comparisonFile('empty.json', '{ "runs": [] }')), /empty\.json needs "runs": a non-empty array/);
  assert.throws(() => loadComparisonFile(comparisonFile('key.json', '{ "runs": ["baseline-32"], "limit": 5 }')), /key\.json has unknown key "limit"; allowed is "runs"\./);
  const badOptimizer = comparisonFile(
    'optimizer.json',
    JSON.stringify({ runs: ['baseline-32', { name: 'odd', hidden: [{ units: 8 }], optimizer: 'ftrl', loss: 'categoricalCrossentropy', epochs: 1 }] }),
  );
  assert.throws(() => loadComparisonFile(badOptimizer), /optimizer\.json: run 2 \("odd"\): optimizer must be one of "adam", "adamw", "nadam", "adamax", "adagrad", "lion", "rmsprop", "sgd"; got "ftrl"\./);
  // Lenient loading keeps the bad run for runComparison to report in its row.
  assert.equal(loadComparisonFile(badOptimizer, { lenient: true }).length, 2);
  const twice = comparisonFile('twice.json', JSON.stringify({ runs: ['baseline-32', 'baseline-32'] }));
  assert.throws(() => loadComparisonFile(twice), /two runs are named "baseline-32"/);
  const several = comparisonFile('several.json', JSON.stringify({ runs: ['nope', { preset: 'baseline-32', epochs: 0 }] }));
  assert.throws(() => loadComparisonFile(several), /run 1 \("nope"\): unknown preset "nope".* \(1 more run has problems too\)\.$/);
});

test('a comparison file may start with a UTF-8 byte-order mark, and its layers have the same cap as train --layers', () => {
  const withBom = comparisonFile('bom.json', `\uFEFF${JSON.stringify({ runs: ['baseline-32'] })}`);
  assert.deepEqual(loadComparisonFile(withBom), ['baseline-32']);
  const huge = comparisonFile('huge.json', JSON.stringify({ runs: [{ name: 'huge', hidden: [{ units: 1e9 }], optimizer: 'adam', loss: 'mse', epochs: 1 }] }));
  assert.throws(() => loadComparisonFile(huge), /run 1 \("huge"\): hidden\[0\]\.units must be at most 65536 \(the largest layer digitnet trains\); got 1000000000\./);
  assert.equal(loadComparisonFile(comparisonFile('cap.json', JSON.stringify({ runs: [{ name: 'cap', hidden: [{ units: 65536 }], optimizer: 'adam', loss: 'mse', epochs: 1 }] }))).length, 1);
});

test("a comparison run can set or drop weight decay, the cosine schedule, its warm-up and the augmentation, as train's options do", () => {
  const recipe = resolveExperiment('mlp-augmented');
  assert.equal(recipe.weightDecay, 1e-4);
  assert.equal(recipe.schedule, 'cosine');
  assert.equal(recipe.warmupEpochs, 1);
  assert.deepEqual(recipe.augment, { rotationDegrees: 10, elastic: { alpha: 34, sigma: 4 } });

  const changed = resolveExperiment({ preset: 'mlp-augmented', weightDecay: 5e-4, augment: 'rotation=5,zoom=0.1', warmupEpochs: 3 });
  assert.equal(changed.weightDecay, 5e-4);
  assert.deepEqual(changed.augment, { rotationDegrees: 5, zoom: 0.1 });
  assert.equal(changed.warmupEpochs, 3);
  assert.notEqual(resolveExperiment('mlp-512-512-dropout').reported, null);
  assert.equal(resolveExperiment({ preset: 'mlp-512-512-dropout', weightDecay: 1e-4 }).reported, null, 'with weight decay it is not the notebook model its figure measures');

  // null drops the preset's; "constant" drops its cosine and the warm-up that belongs to it.
  const plain = resolveExperiment({ preset: 'mlp-augmented', weightDecay: null, augment: null, schedule: 'constant' });
  assert.equal(plain.weightDecay, null);
  assert.equal(plain.augment, null);
  assert.equal(plain.schedule, 'constant');
  assert.equal(plain.warmupEpochs, null);

  const custom = resolveExperiment({
    name: 'c',
    hidden: [{ units: 8, batchNormalization: true }],
    optimizer: 'adamw',
    loss: 'sparseCategoricalCrossentropy',
    epochs: 2,
    weightDecay: 1e-3,
    schedule: 'cosine',
    warmupEpochs: 1,
    augment: 'elastic=20/3',
  });
  assert.deepEqual([custom.weightDecay, custom.schedule, custom.warmupEpochs], [1e-3, 'cosine', 1]);
  assert.deepEqual(custom.augment, { elastic: { alpha: 20, sigma: 3 } });
  const bare = resolveExperiment({ name: 'b', hidden: [], optimizer: 'sgd', loss: 'mse', epochs: 1 });
  assert.deepEqual([bare.weightDecay, bare.schedule, bare.warmupEpochs, bare.augment], [null, null, null, null]);
});

test('bad weight decay, schedule, warm-up or augmentation in a comparison run is one sentence naming it', () => {
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', weightDecay: -1 }, 'c.json: run 1'), /^Error: c\.json: run 1: weightDecay must be a positive number; got -1\.$/);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', schedule: 'step' }), /schedule must be one of "constant", "cosine"; got "step"\./);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', warmupEpochs: 1.5 }), /warmupEpochs must be a whole number of epochs, 0 or more; got 1\.5\./);
  assert.throws(() => resolveExperiment({ preset: 'baseline-32', warmupEpochs: 2 }), /warmupEpochs 2 warms up a cosine schedule; add "schedule": "cosine"\./);
  assert.throws(() => resolveExperiment({ preset: 'mlp-augmented', schedule: 'constant', warmupEpochs: 2 }), /warmupEpochs 2 warms up a cosine schedule/);
  assert.throws(
    () => resolveExperiment({ preset: 'mlp-augmented', augment: 'shear=3' }, 'c.json: run 2 ("r")'),
    /^Error: c\.json: run 2 \("r"\): augment "shear=3" is not a known augmentation: allowed are rotation=DEGREES/,
  );
  assert.throws(() => resolveExperiment({ preset: 'mlp-augmented', augment: 'rotation=500' }), /augment "rotation=500" is invalid: its value must be a number above 0 and at most 180/);
  assert.throws(() => resolveExperiment({ preset: 'mlp-augmented', augment: 10 }), /augment must be a string such as "rotation=10,elastic", or null; got 10\./);
});
