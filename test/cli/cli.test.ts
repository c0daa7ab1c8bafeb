/**
 * The built `digitnet` command end to end (node scripts/run-tests.js builds dist/ first; alone,
 * run `npx tsc -p tsconfig.build.json` before this file). Training runs on small subsets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'digitnet.js');
let dir = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function digitnet(...args: string[]): Run {
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DIGITNET_DEBUG: '' },
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The error line (stderr without the engine notice a machine without the addon prints). */
function errorLine(run: Run): string {
  return run.stderr
    .split('\n')
    .filter((line) => line.startsWith('digitnet: error: '))
    .join('\n');
}

function expectError(run: Run, exitCode: number, message: RegExp): void {
  assert.equal(run.status, exitCode, `exit code; stderr: ${run.stderr}`);
  const line = errorLine(run);
  assert.match(line, message);
  assert.equal(line.split('\n').length, 1, 'one error line');
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
}

before(() => {
  assert.ok(existsSync(join(root, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is missing: build with npx tsc -p tsconfig.build.json');
  dir = mkdtempSync(join(tmpdir(), 'digitnet-cli-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const model = (): string => join(dir, 'model.safetensors');

test('train on 2,000 images saves the model and writes the run as JSON', () => {
  const json = join(dir, 'run.json');
  writeFileSync(json, 'an earlier run\n');
  const earlier = statSync(json).ino;
  const run = digitnet('train', '--limit', '2000', '--epochs', '2', '--layers', '32', '--early-stopping', '5', '--save', model(), '--json', json, '--seed', '1');
  assert.equal(run.status, 0, run.stderr);
  // The plan names early stopping, which can end training before the epochs given.
  assert.match(run.stdout, /^Settings: .*, 2 epochs at most, early stopping after 5 epochs without improvement, batch 128\.$/m);
  // Written as --save is, through a temporary file renamed into place: the earlier file is
  // replaced whole, never written into, so an interrupted write cannot leave half a JSON.
  assert.notEqual(statSync(json).ino, earlier, 'run.json is a new file, not the earlier one rewritten');
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);
  assert.match(run.stdout, /^Engine: (native \(\w+, \d+ threads?\)|typescript)$/m);
  assert.match(run.stdout, /2,000 training images \(the first 2,000 of 60,000\), validating on the 10,000 test images/);
  assert.match(run.stdout, /^Epoch 1\/2$/m);
  assert.match(run.stdout, /^16\/16 .* - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+/m);
  assert.match(run.stdout, /^Test loss: [\d.]+ - test accuracy: [\d.]+ \([\d.]+%\)$/m);
  assert.match(run.stdout, new RegExp(`^Model saved to ${model().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.ok(existsSync(model()));

  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(result.config.preset, 'mlp-256-dropout-128');
  // --layers keeps the preset's dropout in place (256, dropout 0.2, 128 → 32, dropout 0.2).
  assert.deepEqual(result.config.hidden, [{ units: 32, dropout: 0.2 }]);
  assert.equal(result.config.seed, 1);
  assert.equal(result.params, 784 * 32 + 32 + 32 * 10 + 10);
  assert.equal(result.epochs, 2);
  assert.ok(result.fitSeconds > 0);
  for (const name of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) assert.equal(result.history[name].length, 2, name);
  assert.ok(result.test.accuracy > 0.5 && result.test.accuracy <= 1, `test accuracy ${result.test.accuracy}`);
  assert.ok(result.test.loss > 0);
  assert.equal(result.evaluatedOn, 'test set');
  // Validated on the test set each epoch, so the last epoch's figures are the test figures.
  assert.ok(Math.abs(result.history.val_accuracy[1] - result.test.accuracy) < 1e-9);
});

test('evaluate prints loss, accuracy, confusion matrix and per-class scores; --json only the figures', () => {
  const json = digitnet('evaluate', model(), '--json');
  assert.equal(json.status, 0, json.stderr);
  const figures = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(figures).sort(), ['accuracy', 'loss']);
  const saved = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.ok(Math.abs(figures.accuracy - saved.test.accuracy) < 1e-9);

  const text = digitnet('evaluate', model());
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /MNIST test set: 10,000 images/);
  assert.match(text.stdout, /true \\ pred/);
  assert.match(text.stdout, /weighted avg/);
});

test('summary shows the layers and the compile settings', () => {
  const run = digitnet('summary', model());
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /dense \(Dense\)/);
  assert.match(run.stdout, /Total params: 25,450/);
  assert.match(run.stdout, /^Optimizer: adam/m);
  assert.match(run.stdout, /^Loss: sparseCategoricalCrossentropy$/m);
});

test('predict --index gives the class, ten probabilities and the true label', () => {
  const json = digitnet('predict', model(), '--index', '0', '--json');
  assert.equal(json.status, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  assert.equal(result.index, 0);
  assert.equal(result.label, 7);
  assert.equal(result.probabilities.length, 10);
  assert.ok(Math.abs(result.probabilities.reduce((sum: number, p: number) => sum + p, 0) - 1) < 1e-4);
  assert.equal(result.predicted, result.probabilities.indexOf(Math.max(...result.probabilities)));

  const text = digitnet('predict', model(), '--index', '0');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Image 0 of the MNIST test set \(true label 7\)/);
  assert.match(text.stdout, /^Predicted: \d \([\d.]+%\)/m);
  assert.equal(text.stdout.split('\n').filter((line) => /^ {2}\d {2}[01]\.\d{4}/.test(line)).length, 10);
});

test('predict --image reads a PNG of a digit', () => {
  // A dark "1" on light paper, larger than 28×28, as a photo or a drawing would be.
  const png = new PNG({ width: 60, height: 80 });
  for (let y = 0; y < 80; y++) {
    for (let x = 0; x < 60; x++) {
      const ink = x >= 26 && x < 34 && y >= 10 && y < 70;
      const at = (y * 60 + x) * 4;
      png.data[at] = png.data[at + 1] = png.data[at + 2] = ink ? 20 : 235;
      png.data[at + 3] = 255;
    }
  }
  const path = join(dir, 'one.png');
  writeFileSync(path, PNG.sync.write(png));
  const run = digitnet('predict', model(), '--image', path, '--json');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.image, path);
  assert.ok(Number.isInteger(result.predicted) && result.predicted >= 0 && result.predicted <= 9);
  assert.equal(result.probabilities.length, 10);

  const text = digitnet('predict', model(), '--image', path);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /as the model sees it/);
  assert.match(text.stdout, /█/);
});

test('info names the version, Node, the engine, SIMD level, threads and CPU', () => {
  const run = digitnet('info');
  assert.equal(run.status, 0, run.stderr);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
  assert.match(run.stdout, new RegExp(`^digitnet +${version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(run.stdout, new RegExp(`^Node +${process.version.replace(/\./g, '\\.')}`, 'm'));
  for (const name of ['engine', 'SIMD', 'threads', 'CPU', 'features', 'precision']) assert.match(run.stdout, new RegExp(`^${name} +\\S`, 'm'));
  // Each SIMD feature that picks a kernel, present or (with a minus) absent.
  for (const feature of ['avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_bf16', 'amx_int8']) assert.match(run.stdout, new RegExp(`^features .*[ -]${feature}\\b`, 'm'));
  assert.match(run.stdout, /^precision +bf16 (avx512_bf16|emulated), int8 (vnni|avx2|reference)$/m);
  const json = JSON.parse(digitnet('info', '--json').stdout);
  assert.equal(json.digitnet, version);
  assert.ok(json.threads >= 1);
});

test('explore shows shapes, dtypes, class proportions and digits with labels, in rows as wide as the terminal', () => {
  const run = digitnet('explore', '--digits', '12');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^x_train +uint8 +\(60000, 28, 28\)$/m);
  assert.match(run.stdout, /^y_test +uint8 +\(10000,\)$/m);
  assert.match(run.stdout, /^1 +6,742 +11\.24% +1,135 +11\.35%$/m);
  assert.match(run.stdout, /^all +60,000 +100\.00% +10,000 +100\.00%$/m);
  // A pipe has no width, so 80 columns: two 28-column digits a row.
  assert.match(run.stdout, /The first 12 training images and their labels\n +5 +0\n/);
  assert.match(run.stdout, /\n\n +3 +5\n[^\n]*\n/);
  for (const line of run.stdout.split('\n')) assert.ok(line.length <= 80, `${line.length} characters: ${line}`);
});

test('--help works on every command, --version prints the version', () => {
  for (const command of ['explore', 'train', 'evaluate', 'summary', 'predict', 'info', 'bench']) {
    const run = digitnet(command, '--help');
    assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`^Usage: digitnet ${command}`), command);
  }
  const top = digitnet('--help');
  assert.equal(top.status, 0);
  assert.match(top.stdout, /^Usage: digitnet/);
  const train = digitnet('train', '--help');
  assert.match(train.stdout, /Presets/);
  assert.match(train.stdout, /mlp-256-dropout-128\* +001 +98\.04% test/);
  const version = digitnet('--version');
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
});

test('usage errors exit 2: unknown command or option, missing argument or value', () => {
  expectError(digitnet('frobnicate'), 2, /unknown command 'frobnicate'/);
  expectError(digitnet('train', '--bogus'), 2, /unknown option '--bogus'/);
  expectError(digitnet('train', '--epochs'), 2, /argument missing/);
  expectError(digitnet('evaluate'), 2, /missing required argument 'file'/);
  expectError(digitnet('predict', model()), 2, /predict needs exactly one of --index N .* or --image FILE\.png\./);
  expectError(digitnet('predict', model(), '--index', '1', '--image', 'x.png'), 2, /exactly one of/);
  expectError(digitnet('predict', model(), '--image', 'x.png', '--data', 'mnist'), 2, /--data chooses the set --index reads from/);
});

test('bad option values are usage errors (exit 2), refused before any training starts', () => {
  const cases: [string[], RegExp][] = [
    [['--epochs', '0'], /--epochs "0" is invalid: the number of epochs must be a positive whole number\./],
    [['--lr', '-1'], /--lr "-1" is invalid: the learning rate must be a positive number\./],
    [['--batch-size', 'abc'], /--batch-size "abc" is invalid: the batch size must be a positive whole number\./],
    [['--dropout', '1'], /--dropout "1" is invalid: the dropout rate must be at least 0 and below 1\./],
    [['--optimizer', 'adamw'], /--optimizer "adamw" is not a known optimizer: allowed are adam, rmsprop, sgd\./],
    [['--loss', 'hinge'], /--loss "hinge" is not a known loss: allowed are categoricalCrossentropy/],
    [['--activation', 'gelu'], /--activation "gelu" is not a known hidden-layer activation: allowed are relu, sigmoid, tanh\./],
    [['--preset', 'nope'], /Unknown preset "nope": allowed are mlp-50-50-train20/],
    [['--validation-split', '1.5'], /--validation-split "1\.5" is invalid: the validation split must be a number between 0 and 1/],
    [['--validation-split', '0.2', '--validate-on-test'], /--validation-split and --validate-on-test contradict each other/],
    [['--layers', '512,99999999999'], /--layers "512,99999999999" is invalid: a layer of 99999999999 units is more than the 65536 allowed\./],
    [['--save', join(dir, 'same.json'), '--json', join(dir, 'same.json')], /--save and --json both name .*same\.json: give them different files\./],
  ];
  for (const [args, message] of cases) {
    const run = digitnet('train', ...args);
    expectError(run, 2, message);
    assert.match(run.stderr, /\(add --help for usage\)/, args.join(' '));
    assert.doesNotMatch(run.stdout, /Epoch 1/, args.join(' '));
  }
});

test('outputs that cannot be written and missing data exit 1, before any training starts', () => {
  const cases: [string[], RegExp][] = [
    [['--data', join(dir, 'missing-folder')], /Data .*missing-folder not found: give mnist/],
    [['--save', join(dir, 'no-such-folder', 'm.safetensors')], /--save .* cannot be written: the folder .*no-such-folder does not exist\./],
    [['--save', `${dir}/`], /--save .* is a folder; give a file name\./],
  ];
  for (const [args, message] of cases) {
    const run = digitnet('train', ...args);
    expectError(run, 1, message);
    assert.doesNotMatch(run.stdout, /Epoch 1/, args.join(' '));
  }
});

test('a reader that closes the pipe early does not stop training or saving', () => {
  const saved = join(dir, 'piped.safetensors');
  const run = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" train --limit 1000 --epochs 2 --save "${saved}" | head -n 1`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.split('\n').filter(Boolean).length, 1);
  assert.ok(existsSync(saved), 'the model was saved although stdout closed');
  assert.match(digitnet('summary', saved).stdout, /Total params/);
});

test('missing or corrupt files exit 1 with one sentence', () => {
  expectError(digitnet('evaluate', join(dir, 'absent.safetensors')), 1, /Model file .*absent\.safetensors does not exist\./);
  const corrupt = join(dir, 'corrupt.safetensors');
  writeFileSync(corrupt, 'this is not a model');
  expectError(digitnet('summary', corrupt), 1, /corrupt\.safetensors is not a valid model file/);
  expectError(digitnet('predict', model(), '--image', join(dir, 'absent.png')), 1, /absent\.png not found\./);
  const badPng = join(dir, 'bad.png');
  writeFileSync(badPng, 'not a png');
  expectError(digitnet('predict', model(), '--image', badPng), 1, /bad\.png is not a PNG file \(it does not start with PNG's signature\)/);
  const emptyPng = join(dir, 'empty.png');
  writeFileSync(emptyPng, '');
  expectError(digitnet('predict', model(), '--image', emptyPng), 1, /empty\.png is empty, not a PNG file\./);
  const cutPng = join(dir, 'cut.png');
  writeFileSync(cutPng, readFileSync(join(dir, 'one.png')).subarray(0, 40));
  expectError(digitnet('predict', model(), '--image', cutPng), 1, /cut\.png is a damaged or truncated PNG file: its image data cannot be decoded\./);
  expectError(digitnet('predict', model(), '--index', '10000'), 2, /--index 10000 is out of range: MNIST test set has 10,000 images, numbered 0 to 9999\./);
  expectError(digitnet('explore', '--data', join(dir, 'absent.csv')), 1, /Data file .*absent\.csv not found/);
});

test('bench runs src/bench/run.ts: a quick run of one small network, and a bad architecture', () => {
  const run = digitnet('bench', '--quick', '--skip-peers', '--models', '784-16-10', '--json');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.quick, true);
  assert.equal(result.models.length, 1);
  assert.equal(result.models[0].architecture, '784-16-10');
  assert.deepEqual(result.peers, []);
  expectError(digitnet('bench', '--skip-peers', '--models', '784-x-10'), 2, /--models: Architecture "784-x-10" is invalid/);
  expectError(digitnet('bench', '--skip-peers', '--models', '100-10'), 2, /--models 100-10 does not fit MNIST: an architecture starts with 784 inputs and ends with 10 classes\./);
  expectError(digitnet('bench', '--skip-peers', '--models', ' , '), 2, /--models " , " names no architecture/);
});

/** A Kaggle-style train.csv of random images; `labelAt` overrides one row's label. */
function writeCsv(path: string, rows: number, badLabel?: string): void {
  let text = `label,${Array.from({ length: 784 }, (_, index) => `pixel${index}`).join(',')}\n`;
  let state = 12345;
  for (let row = 0; row < rows; row++) {
    const pixels = Array.from({ length: 784 }, () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % 256;
    });
    const label = badLabel !== undefined && row === 3 ? badLabel : String(row % 10);
    text += `${label},${pixels.join(',')}\n`;
  }
  writeFileSync(path, text);
}

test('a CSV train file trains with a validation split and says there is no test set', () => {
  const csv = join(dir, 'train.csv');
  writeCsv(csv, 200);
  const json = join(dir, 'csv-run.json');
  const run = digitnet('train', '--data', csv, '--epochs', '1', '--layers', '8', '--json', json, '--seed', '2');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /train\.csv has no test set: the final loss and accuracy are on the last 10% held out for validation\./);
  assert.match(run.stdout, /^Validation loss: [\d.]+ - validation accuracy: /m);
  // The plan says how many images train, not only how many were read.
  assert.match(run.stdout, /^Data: .*200 training images, holding out the last 10% for validation, which leaves 180 to train on\.$/m);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(result.evaluatedOn, 'validation split');
  assert.equal(result.trainSamples, 180);

  const bad = join(dir, 'bad-label.csv');
  writeCsv(bad, 5, '12');
  expectError(digitnet('train', '--data', bad), 1, /bad-label\.csv line 5, column 1 \(label\): "12" is not a label in 0\.\.9\./);
  expectError(digitnet('train', '--data', csv, '--validate-on-test'), 2, /--validate-on-test is not possible: train\.csv has no test set/);
});

test('Ctrl-C during training stops after the batch, saves the model trained so far and exits 130', async () => {
  const path = join(dir, 'interrupted.safetensors');
  // Many short epochs: the signal lands mid-training whichever engine runs.
  const child = spawn(
    process.execPath,
    [bin, 'train', '--limit', '6000', '--layers', '64', '--epochs', '1000', '--verbose', '2', '--save', path, '--seed', '3'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The first epoch's closing line: "47/47 - 0s 2ms/step - loss: ...".
      if (!signalled && /^\d+\/\d+ - .*loss: /m.test(stdout)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    // Should the signal be lost, the run would go on for 1000 epochs: end it and fail instead.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(watchdog);
      resolve(code);
    });
  });
  assert.ok(signalled, `no epoch line seen; stdout: ${stdout}; stderr: ${stderr}`);
  assert.equal(status, 130, stderr);
  assert.match(stderr, /stopping after this batch/);
  // As Keras's fit leaves the model as trained so far: it is evaluated and kept.
  assert.match(stderr, /^digitnet: error: Training was stopped by Ctrl-C in epoch \d+ of 1000; the model trained so far was saved to .*\.$/m);
  assert.match(stdout, /Model saved to /);
  assert.equal(existsSync(path), true);
});
