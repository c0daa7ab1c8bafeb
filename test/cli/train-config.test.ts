import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CSV_SPLIT, resolveTrainConfig, trainExperiment } from '../../src/cli/commands/train.js';
import { formatPresetList, reportedFigure } from '../../src/cli/presets.js';
import { parseDataSource } from '../../src/cli/data.js';
import { findPreset, PRESETS } from '../../src/models/presets.js';

test('no options give notebook 001: 256, dropout 0.2, 128, adam, batch 128, 10 epochs, validated on test', () => {
  const config = resolveTrainConfig({});
  assert.equal(config.preset, 'mlp-256-dropout-128');
  assert.deepEqual(config.hidden, [{ units: 256, dropout: 0.2 }, { units: 128 }]);
  assert.deepEqual(config.inputShape, [28, 28]);
  assert.equal(config.optimizer, 'adam');
  assert.equal(config.loss, 'sparseCategoricalCrossentropy');
  assert.equal(config.batchSize, 128);
  assert.equal(config.epochs, 10);
  assert.deepEqual(config.validation, { kind: 'test' });
  assert.equal(config.evaluateOn, 'test');
  assert.equal(config.earlyStopping, null);
  assert.equal(config.learningRate, null);
  assert.equal(config.verbose, 1);
  assert.deepEqual(config.data, { kind: 'mnist' });
  assert.deepEqual(config.overrides, []);
});

test('options given override the preset, as strings from commander or as numbers', () => {
  const config = resolveTrainConfig({
    preset: 'baseline-512',
    layers: '64, 32',
    dropout: '0.25',
    activation: 'TANH',
    optimizer: 'sgd',
    lr: '0.05',
    loss: 'sparse_categorical_crossentropy',
    epochs: 4,
    batchSize: '256',
    seed: '7',
    limit: '1000',
    save: 'm.safetensors',
    json: 'run.json',
    verbose: '2',
  });
  assert.deepEqual(config.hidden, [{ units: 64, dropout: 0.25 }, { units: 32, dropout: 0.25 }]);
  assert.deepEqual(config.inputShape, [784]);
  assert.equal(config.activation, 'tanh');
  assert.equal(config.optimizer, 'sgd');
  assert.equal(config.learningRate, 0.05);
  assert.equal(config.loss, 'sparseCategoricalCrossentropy');
  assert.equal(config.epochs, 4);
  assert.equal(config.batchSize, 256);
  assert.equal(config.seed, 7);
  assert.equal(config.limit, 1000);
  assert.equal(config.save, 'm.safetensors');
  assert.equal(config.json, 'run.json');
  assert.equal(config.verbose, 2);
  // baseline-512 trains on all 60,000 images, as notebook 003's final fit did; kept when not overridden.
  assert.deepEqual(config.validation, { kind: 'none' });
  assert.ok(config.overrides.includes('layers') && config.overrides.includes('lr') && config.overrides.includes('batchSize'));
});

test('--dropout alone puts dropout after every hidden layer of the preset; 0 removes it', () => {
  assert.deepEqual(resolveTrainConfig({ dropout: '0.5' }).hidden, [{ units: 256, dropout: 0.5 }, { units: 128, dropout: 0.5 }]);
  assert.deepEqual(resolveTrainConfig({ dropout: '0' }).hidden, [{ units: 256 }, { units: 128 }]);
});

test("--layers keeps the preset's dropout in place unless --dropout is given", () => {
  // The default preset: 256, dropout 0.2, 128.
  assert.deepEqual(resolveTrainConfig({ layers: '10' }).hidden, [{ units: 10, dropout: 0.2 }]);
  assert.deepEqual(resolveTrainConfig({ layers: '64,32,16' }).hidden, [{ units: 64, dropout: 0.2 }, { units: 32 }, { units: 16 }]);
  assert.deepEqual(resolveTrainConfig({ layers: '64,32', dropout: '0' }).hidden, [{ units: 64 }, { units: 32 }]);
  assert.deepEqual(resolveTrainConfig({ preset: 'baseline-512-256-dropout', layers: '128,64' }).hidden, [{ units: 128, dropout: 0.5 }, { units: 64, dropout: 0.5 }]);
});

test('validation: split, on test, the preset default, and none', () => {
  assert.deepEqual(resolveTrainConfig({ validationSplit: '0.2' }).validation, { kind: 'split', fraction: 0.2 });
  assert.deepEqual(resolveTrainConfig({ preset: 'baseline-32', validateOnTest: true }).validation, { kind: 'test' });
  assert.deepEqual(resolveTrainConfig({ preset: 'mlp-512-rmsprop' }).validation, { kind: 'none' });
});

test('early stopping from the preset or the options, with --restore-best', () => {
  assert.deepEqual(resolveTrainConfig({ preset: 'mlp-512-512-dropout' }).earlyStopping, { patience: 3, restoreBest: false });
  assert.deepEqual(resolveTrainConfig({ earlyStopping: '2', restoreBest: true }).earlyStopping, { patience: 2, restoreBest: true });
  assert.throws(() => resolveTrainConfig({ restoreBest: true }), /--restore-best only applies with early stopping/);
  assert.throws(() => resolveTrainConfig({ preset: 'mlp-512-rmsprop', earlyStopping: '2' }), /nothing is validated/);
});

test('notebook 000 presets train on all 70,000 images and report validation figures', () => {
  const config = resolveTrainConfig({ preset: 'mlp-50-50' });
  assert.deepEqual(config.data, { kind: 'combined' });
  assert.deepEqual(config.validation, { kind: 'split', fraction: 0.25 });
  assert.equal(config.evaluateOn, 'validation');
  assert.match(config.notes.join(' '), /no test set/);
  assert.deepEqual(config.earlyStopping, { patience: 3, restoreBest: false });
  assert.throws(() => resolveTrainConfig({ preset: 'mlp-50-50', validateOnTest: true }), /no test set; use --validation-split/);
  // Asking for MNIST's own split brings the test set back.
  assert.equal(resolveTrainConfig({ preset: 'mlp-50-50', data: 'mnist' }).evaluateOn, 'test');
});

test('a CSV file has no test set: evaluation moves to a validation split, and says so', () => {
  const config = resolveTrainConfig({ data: 'digits/train.csv' });
  assert.deepEqual(config.data, { kind: 'csv', path: 'digits/train.csv' });
  assert.deepEqual(config.validation, { kind: 'split', fraction: DEFAULT_CSV_SPLIT });
  assert.equal(config.evaluateOn, 'validation');
  assert.match(config.notes[0]!, /train\.csv has no test set/);
  assert.deepEqual(resolveTrainConfig({ data: 'train.csv.gz', validationSplit: '0.3' }).validation, { kind: 'split', fraction: 0.3 });
  assert.throws(() => resolveTrainConfig({ data: 'train.csv', validateOnTest: true }), /train\.csv has no test set/);
  assert.deepEqual(parseDataSource('some/folder'), { kind: 'folder', path: 'some/folder' });
});

test('bad values are refused with one sentence naming the value and what is allowed', () => {
  const cases: [Parameters<typeof resolveTrainConfig>[0], RegExp][] = [
    [{ epochs: '0' }, /^--epochs "0" is invalid: the number of epochs must be a positive whole number\.$/],
    [{ epochs: '2.5' }, /--epochs "2\.5" is invalid/],
    [{ lr: '-1' }, /^--lr "-1" is invalid: the learning rate must be a positive number\.$/],
    [{ lr: 'fast' }, /--lr "fast" is invalid/],
    [{ batchSize: 'abc' }, /^--batch-size "abc" is invalid: the batch size must be a positive whole number\.$/],
    [{ batchSize: '' }, /--batch-size "" is invalid/],
    [{ dropout: '1' }, /^--dropout "1" is invalid: the dropout rate must be at least 0 and below 1\.$/],
    [{ dropout: '-0.1' }, /--dropout "-0\.1" is invalid/],
    [{ optimizer: 'ftrl' }, /^--optimizer "ftrl" is not a known optimizer: allowed are adam, adamw, nadam, adamax, adagrad, lion, rmsprop, sgd\.$/],
    [{ loss: 'hinge' }, /^--loss "hinge" is not a known loss: allowed are categoricalCrossentropy, sparseCategoricalCrossentropy, meanSquaredError\.$/],
    [{ activation: 'gelu' }, /^--activation "gelu" is not a known hidden-layer activation: allowed are relu, sigmoid, tanh\.$/],
    [{ preset: 'nope' }, /^Unknown preset "nope": allowed are mlp-50-50-train20, /],
    [{ validationSplit: '1' }, /^--validation-split "1" is invalid: the validation split must be a number between 0 and 1 \(exclusive\)\.$/],
    [{ validationSplit: '0' }, /--validation-split "0" is invalid/],
    [{ validationSplit: '0.2', validateOnTest: true }, /^--validation-split and --validate-on-test contradict each other/],
    [{ layers: '512,,512' }, /^--layers "512,,512" is invalid: give the hidden layer sizes as positive whole numbers/],
    [{ layers: '0' }, /--layers "0" is invalid/],
    [{ seed: '-3' }, /--seed "-3" is invalid: the seed must be a whole number from 0 to 4294967295\./],
    [{ limit: '0' }, /--limit "0" is invalid/],
    [{ verbose: '3' }, /--verbose "3" is invalid: use 0/],
    [{ verbose: '1', quiet: true }, /--quiet and --verbose contradict/],
    [{ earlyStopping: '-1' }, /--early-stopping "-1" is invalid/],
    [{ data: '' }, /^--data "" is blank: give mnist \(the default\), a folder/],
    [{ data: ' \t' }, /^--data " \\t" is blank: give mnist/],
  ];
  for (const [options, message] of cases) assert.throws(() => resolveTrainConfig(options), { message }, JSON.stringify(options));
});

test('--quiet is verbose 0', () => {
  assert.equal(resolveTrainConfig({ quiet: true }).verbose, 0);
});

test('the preset list names every preset with its notebook and reported figure', () => {
  const text = formatPresetList();
  for (const preset of PRESETS) assert.match(text, new RegExp(`^${preset.name}\\*? +${preset.notebook} `, 'm'));
  assert.match(text, /mlp-256-dropout-128\* +001 +98\.04% test/);
  assert.equal(reportedFigure(findPreset('mlp-50-50-train20')), '91% validation');
  assert.equal(reportedFigure(findPreset('mlp-512-rmsprop')), '97.8% test');
  assert.equal(reportedFigure(findPreset('mlp-128-64-dropout')), '—');
  const markdown = formatPresetList({ markdown: true }).split('\n');
  assert.equal(markdown.length, PRESETS.length + 2);
  assert.match(markdown[0]!, /^\| preset \| notebook \| reported \| model and training \|$/);
  assert.match(markdown[2]!, /^\| `mlp-50-50-train20` \| 000 \| 91% validation \| /);
});

test('a train config becomes the experiment the runner trains, on the images --data gave', () => {
  const images = { name: 'CSV file digits.csv', train: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, rows: 28, cols: 28 }, test: null };
  const experiment = trainExperiment(
    resolveTrainConfig({ preset: 'mlp-512-512-dropout', layers: '64', activation: 'sigmoid', lr: '0.01', epochs: '3', earlyStopping: '2', restoreBest: true, seed: '5', limit: '100', data: 'digits.csv' }),
    images,
  );
  assert.equal(experiment.name, 'mlp-512-512-dropout');
  assert.equal(experiment.preset, 'mlp-512-512-dropout');
  assert.deepEqual(experiment.hidden, [{ units: 64, dropout: 0.2 }]);
  assert.equal(experiment.activation, 'sigmoid');
  assert.equal(experiment.learningRate, 0.01);
  assert.equal(experiment.epochs, 3);
  assert.equal(experiment.validation, DEFAULT_CSV_SPLIT);
  assert.equal(experiment.earlyStoppingPatience, 2);
  assert.equal(experiment.restoreBest, true);
  assert.equal(experiment.seed, 5);
  assert.equal(experiment.limit, 100);
  assert.equal(experiment.data, images);
  // Changed settings are no longer the notebook's model, so its figure does not apply.
  assert.equal(experiment.reported, null);

  const plain = trainExperiment(resolveTrainConfig({}), images);
  assert.equal(plain.validation, 'test');
  assert.equal(plain.earlyStoppingPatience, null);
  assert.equal(plain.restoreBest, false);
  assert.equal(plain.seed, null);
  assert.deepEqual(plain.inputShape, [28, 28]);
  assert.equal(plain.reported?.accuracy, 0.9804);
  assert.equal(trainExperiment(resolveTrainConfig({ preset: 'mlp-512-rmsprop' }), images).validation, null);
});
