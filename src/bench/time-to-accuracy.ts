/**
 * Run by the benchmark as a fresh child process: trains notebook 002's 512-d0.2-512-d0.2 network
 * with validation on the test set (as notebook 001 does) until the test accuracy reaches the
 * target, and prints one JSON line. Its clock is performance.now(), which Node counts from the
 * start of the process, so module loading, reading MNIST and building the model are included —
 * the time a user waits for the first good model.
 *
 *   node dist/bench/time-to-accuracy.js [--target 0.98] [--max-epochs 20] [--seed 1]
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { dense, describeEngine, dropout, getEngine, loadMnist, sequential, tensor } from '../index.js';

export interface TimeToAccuracyReport {
  reached: boolean;
  target: number;
  /** Seconds from this process's start to the end of the epoch that reached the target. */
  seconds: number;
  epochs: number;
  accuracy: number;
  engine: string;
  /** Seconds from process start to the first training step (startup, data, model). */
  startupSeconds: number;
}

function readOption(argv: readonly string[], flag: string, fallback: number): number {
  const index = argv.indexOf(flag);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} ${argv[index + 1]} is invalid: expected a positive number.`);
  return value;
}

async function main(argv: readonly string[]): Promise<void> {
  const target = readOption(argv, '--target', 0.98);
  const maxEpochs = readOption(argv, '--max-epochs', 20);
  const seed = readOption(argv, '--seed', 1);
  const data = loadMnist();
  const model = sequential(
    [
      dense({ units: 512, activation: 'relu', inputShape: [784] }),
      dropout({ rate: 0.2 }),
      dense({ units: 512, activation: 'relu' }),
      dropout({ rate: 0.2 }),
      dense({ units: 10, activation: 'softmax' }),
    ],
    { seed },
  );
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = tensor(data.train.images, [data.train.count, 784]);
  const xTest = tensor(data.test.images, [data.test.count, 784]);
  const engine = describeEngine(getEngine());
  const startupSeconds = performance.now() / 1000;
  let report: TimeToAccuracyReport = { reached: false, target, seconds: 0, epochs: 0, accuracy: 0, engine, startupSeconds };
  await model.fit(x, data.train.labels, {
    epochs: maxEpochs,
    batchSize: 128,
    verbose: 0,
    seed,
    validationData: [xTest, data.test.labels],
    callbacks: [
      {
        onEpochEnd(epoch, logs) {
          const accuracy = logs.val_accuracy ?? Number.NaN;
          report = { ...report, seconds: performance.now() / 1000, epochs: epoch + 1, accuracy };
          process.stderr.write(`time-to-accuracy: epoch ${epoch + 1} val_accuracy ${accuracy.toFixed(4)} at ${report.seconds.toFixed(2)} s\n`);
          if (accuracy >= target) {
            report.reached = true;
            model.stopTraining = true;
          }
        },
      },
    ],
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
