/**
 * `digitnet convert` and `digitnet export` end to end: a small trained model goes into every
 * format, and evaluate, predict, report and summary read each file and agree with the original.
 * The commands run in this process through main() (a spawn per command would cost seconds each on
 * a busy machine); one conversion runs as the real binary, since a command that reads an HDF5 file
 * once never exited.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { dense, dropout, flatten, loadMnist, sequential, setRandomSeed, tensor } from '../../src/index.js';
import { closeHdf5 } from '../../src/saving/hdf5/hdf5.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = 200;
let dir = '';
let csv = '';
let original = '';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `digitnet ...args` in this process, capturing what it prints. */
async function digitnet(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'digitnet', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

async function ok(...args: string[]): Promise<string> {
  const outcome = await digitnet(...args);
  assert.equal(outcome.code, 0, `digitnet ${args.join(' ')}: ${outcome.stderr}`);
  return outcome.stdout;
}

function errorLine(outcome: Outcome): string {
  const lines = outcome.stderr.split('\n').filter((line) => line.startsWith('digitnet: error: '));
  assert.equal(lines.length, 1, `one error line in ${outcome.stderr}`);
  return lines[0]!;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'digitnet-convert-'));
  const { train, test: testSet } = loadMnist();
  // The first test images as a labelled Kaggle CSV: every command reads them with --data.
  const rows = ['label,' + Array.from({ length: 784 }, (_, index) => `pixel${index}`).join(',')];
  for (let image = 0; image < IMAGES; image++) {
    rows.push(`${testSet.labels[image]},${Array.from(testSet.images.subarray(image * 784, (image + 1) * 784)).join(',')}`);
  }
  csv = join(dir, 'digits.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  setRandomSeed(1);
  const model = sequential([flatten({ inputShape: [28, 28] }), dense({ units: 16, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })], { seed: 1 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(tensor(train.images.subarray(0, 1000 * 784), [1000, 28, 28]), train.labels.subarray(0, 1000), { epochs: 2, verbose: 0, seed: 1 });
  original = join(dir, 'original.safetensors');
  model.save(original);
});

after(() => {
  closeHdf5();
  rmSync(dir, { recursive: true, force: true });
});

interface Figures {
  loss: number;
  accuracy: number;
  probabilities: number[][];
  reportAccuracy: unknown;
}

const INDICES = [0, 7, 123];

async function figures(file: string, name: string): Promise<Figures> {
  const { loss, accuracy } = JSON.parse(await ok('evaluate', file, '--data', csv, '--json')) as { loss: number; accuracy: number };
  const probabilities: number[][] = [];
  for (const index of INDICES) {
    probabilities.push((JSON.parse(await ok('predict', file, '--data', csv, '--index', String(index), '--json')) as { probabilities: number[] }).probabilities);
  }
  const out = join(dir, `report-${name}`);
  assert.match(await ok('report', file, '--data', csv, '--out', out), /Report written to/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  return { loss, accuracy, probabilities, reportAccuracy: metrics.accuracy ?? (metrics.test as Record<string, unknown> | undefined)?.accuracy };
}

test('a model converted to every format evaluates, predicts, reports and summarizes as the original', async () => {
  const expected = await figures(original, 'original');
  assert.ok(expected.accuracy > 0.5, `the model learnt something (${expected.accuracy})`);
  const summary = await ok('summary', original);
  const params = /Total params: ([\d,]+)/.exec(summary)?.[1];
  assert.equal(params, '12,730');

  const targets: [string, string[]][] = [
    ['keras', [join(dir, 'm.keras')]],
    ['h5', [join(dir, 'm.h5')]],
    ['onnx', [join(dir, 'm.onnx')]],
    ['tfjs', [join(dir, 'web') + '/']],
    ['safetensors', [join(dir, 'copy.safetensors')]],
  ];
  for (const [format, [out]] of targets) {
    assert.match(await ok('convert', original, out!), new RegExp(`written as ${format} to`));
    const file = out!.replace(/\/$/, '');
    const got = await figures(file, format);
    assert.ok(Math.abs(got.loss - expected.loss) < 1e-5, `${format}: loss ${got.loss} against ${expected.loss}`);
    assert.equal(got.accuracy, expected.accuracy, format);
    assert.deepEqual(got.reportAccuracy, expected.reportAccuracy, format);
    got.probabilities.forEach((row, image) =>
      row.forEach((probability, digit) => assert.ok(Math.abs(probability - expected.probabilities[image]![digit]!) < 1e-5, `${format}: image ${INDICES[image]} digit ${digit}`)),
    );
    const text = await ok('summary', file);
    assert.match(text, new RegExp(`Total params: ${params}`), format);
    // ONNX and TensorFlow.js exports carry the network only; the others keep how it was compiled.
    if (format === 'onnx' || format === 'tfjs') assert.match(text, /Not compiled/, format);
    else assert.match(text, /Optimizer: adam/i, format);
  }
  assert.deepEqual(readdirSync(dir).filter((name) => name.includes('.tmp')), [], 'no temporary files left');
});

test('export writes beside the model unless --out says where, and converts between non-native formats', async () => {
  const keras = join(dir, 'm.keras');
  assert.ok(existsSync(keras), 'made by the first test');
  await ok('export', keras, '--format', 'onnx');
  assert.ok(statSync(join(dir, 'm.onnx')).isFile());
  await ok('export', keras, '--format', 'tfjs');
  assert.ok(statSync(join(dir, 'm-tfjs', 'model.json')).isFile());
  await ok('export', join(dir, 'm-tfjs'), '--format', 'h5', '--out', join(dir, 'from-tfjs.h5'));
  const a = JSON.parse(await ok('predict', join(dir, 'from-tfjs.h5'), '--data', csv, '--index', '5', '--json')) as { probabilities: number[] };
  const b = JSON.parse(await ok('predict', original, '--data', csv, '--index', '5', '--json')) as { probabilities: number[] };
  a.probabilities.forEach((probability, digit) => assert.ok(Math.abs(probability - b.probabilities[digit]!) < 1e-5));
});

test('bad formats and names are refused in one sentence naming the value, and OUT is never half written', async () => {
  const refusals: [string[], RegExp][] = [
    [['convert', original, join(dir, 'm.xyz')], /Cannot tell which format to write .*m\.xyz in from its name: end it with \.onnx, \.keras, \.h5, \.safetensors or \/ \(a tfjs folder\), or give --format onnx\|tfjs\|keras\|h5\|safetensors\./],
    [['convert', original, join(dir, 'x.h5'), '--format', 'onnx'], /x\.h5 names the h5 format but --format is onnx: give OUT a name ending in \.onnx, or drop --format\./],
    [['convert', original, join(dir, 'x.weights.h5')], /x\.weights\.h5 names a weights-only file/],
    [['export', original, '--format', 'pickle'], /--format "pickle" is not a format digitnet writes: use onnx, tfjs, keras, h5 or safetensors\./],
    [['export', join(dir, 'm.onnx'), '--format', 'onnx'], /m\.onnx is already in the onnx format: give --out PATH for the copy\./],
  ];
  for (const [args, message] of refusals) {
    const outcome = await digitnet(...args);
    assert.equal(outcome.code, 2, `${args.join(' ')}: ${outcome.stderr}`);
    assert.match(errorLine(outcome), message);
  }
  // A broken input: the existing OUT keeps its bytes, and nothing is left beside it.
  const broken = join(dir, 'broken.keras');
  writeFileSync(broken, readFileSync(join(dir, 'm.keras')).subarray(0, 300));
  const out = join(dir, 'm.h5');
  const before = readFileSync(out);
  const outcome = await digitnet('convert', broken, out);
  assert.equal(outcome.code, 1);
  assert.match(errorLine(outcome), /broken\.keras cannot be loaded as/);
  assert.deepEqual(readFileSync(out), before);
  assert.deepEqual(readdirSync(dir).filter((name) => name.includes('.tmp')), []);
});

test('the built binary converts to .keras and exits (the HDF5 worker does not hold it open)', () => {
  const bin = join(root, 'bin', 'digitnet.js');
  assert.ok(existsSync(join(root, 'dist', 'cli', 'main.js')), 'dist/cli/main.js is missing: build with npx tsc -p tsconfig.build.json');
  const run = spawnSync(process.execPath, [bin, 'convert', original, join(dir, 'spawned.keras')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `exit status (null: it did not exit within 60 s); stderr: ${run.stderr}`);
  assert.ok(statSync(join(dir, 'spawned.keras')).size > 0);
});
