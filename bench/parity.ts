/**
 * Checks digitnet's training against the same network trained by PyTorch (float64 autograd, with
 * Keras's optimizer formulas written out in bench/peers/pytorch_steps.py): both start from
 * digitnet's initial weights and take the same batches in order, and the final weights are
 * compared. It needs PyTorch (apt-get install python3-torch), so it is a check to run by hand,
 * not a test:
 *   npx tsx bench/parity.ts [--steps 100] [--optimizer rmsprop|adam] [--layers 512,256] [--batch 64]
 * Exits 1 when a weight differs by more than 1e-3 of how far training moved that tensor.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pythonCommand } from '../src/bench/peers.js';
import { mnistDataFolder } from '../src/data/mnist.js';
import { dense, flattenSamples, imagesOf, loadMnist, sequential, takeFirst } from '../src/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '100' },
    optimizer: { type: 'string', default: 'rmsprop' },
    layers: { type: 'string', default: '512,256' },
    batch: { type: 'string', default: '64' },
  },
});
const steps = Number(values.steps);
const batchSize = Number(values.batch);
const hidden = values.layers.split(',').map(Number);
function usage(message: string): never {
  console.error(message);
  process.exit(2);
}
if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batchSize) || batchSize < 1 || !hidden.every((units) => Number.isInteger(units) && units > 0)) {
  usage(`--steps ${values.steps}, --batch ${values.batch} and --layers ${values.layers} must be positive whole numbers.`);
}
if (values.optimizer !== 'rmsprop' && values.optimizer !== 'adam') {
  usage(`--optimizer ${values.optimizer} is not checked here: use rmsprop or adam.`);
}

const train = takeFirst(loadMnist().train, steps * batchSize);
const model = sequential(
  [...hidden.map((units, index) => dense({ units, activation: 'relu', ...(index === 0 ? { inputShape: [784] } : {}) })), dense({ units: 10, activation: 'softmax' })],
  { seed: 1 },
);
model.compile({ optimizer: values.optimizer, loss: 'sparseCategoricalCrossentropy' });
const initial = model.getWeights();

const folder = mkdtempSync(join(tmpdir(), 'digitnet-parity-'));
try {
  const weightsIn = join(folder, 'initial.bin');
  const weightsOut = join(folder, 'pytorch.bin');
  writeFileSync(weightsIn, Buffer.concat(initial.map((weight) => Buffer.from(weight.buffer, weight.byteOffset, weight.byteLength))));
  await model.fit(flattenSamples(imagesOf(train)), train.labels, { epochs: 1, batchSize, shuffle: false, verbose: 0 });

  const script = join(dirname(fileURLToPath(import.meta.url)), 'peers', 'pytorch_steps.py');
  const widths = [784, ...hidden, 10].join('-');
  const args = [script, widths, values.optimizer, String(steps), String(batchSize), mnistDataFolder(), weightsIn, weightsOut];
  const run = spawnSync(pythonCommand(), args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (run.status !== 0) {
    console.error(`${pythonCommand()} ${args.join(' ')} failed (exit ${run.status}); it needs PyTorch: apt-get install python3-torch.`);
    process.exitCode = 2;
  } else {
    const buffer = readFileSync(weightsOut);
    const theirs = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    const ours = model.getWeights();
    let offset = 0;
    let worst = 0;
    console.log(`784-${hidden.join('-')}-10, ${values.optimizer}, ${steps} steps of ${batchSize} images, from the same initial weights:`);
    for (const [index, weight] of ours.entries()) {
      let largest = 0;
      let moved = 0;
      for (let i = 0; i < weight.length; i++) {
        largest = Math.max(largest, Math.abs(weight[i]! - theirs[offset + i]!));
        moved += Math.abs(theirs[offset + i]! - initial[index]![i]!);
      }
      moved /= weight.length;
      offset += weight.length;
      worst = Math.max(worst, largest / moved);
      const name = `dense ${Math.floor(index / 2) + 1} ${index % 2 === 0 ? 'kernel' : 'bias'}`;
      console.log(`  ${name.padEnd(16)} largest difference ${largest.toExponential(2)}, mean change in training ${moved.toExponential(2)}`);
    }
    console.log(`largest difference / mean change: ${worst.toExponential(2)} (the check allows 1e-3)`);
    process.exitCode = worst <= 1e-3 ? 0 : 1;
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
