/** `digitnet bench`: the benchmark of src/bench/run.ts against PyTorch and TensorFlow.js. */
import type { Command } from 'commander';
import { parseArchitecture } from '../../bench/format.js';
import { UsageError } from '../errors.js';

export interface BenchOptions {
  quick?: boolean;
  json?: boolean;
  markdown?: boolean;
  skipPeers?: boolean;
  models?: string;
  fp32Only?: boolean;
}

// The benchmark trains on MNIST: 784 pixels in, 10 classes out.
const MNIST_INPUTS = 784;
const MNIST_CLASSES = 10;

/** --models, checked before anything runs. */
function parseModels(list: string): string[] {
  const texts = list.split(',').map((text) => text.trim()).filter((text) => text !== '');
  if (texts.length === 0) throw new UsageError(`--models ${JSON.stringify(list)} names no architecture: give e.g. 784-512-d0.2-512-d0.2-10.`);
  for (const text of texts) {
    let architecture;
    try {
      architecture = parseArchitecture(text);
    } catch (error) {
      throw new UsageError(`--models: ${(error as Error).message}`);
    }
    const last = architecture.layers[architecture.layers.length - 1]!;
    if (architecture.inputs !== MNIST_INPUTS || last.kind !== 'dense' || last.units !== MNIST_CLASSES) {
      throw new UsageError(`--models ${text} does not fit MNIST: an architecture starts with ${MNIST_INPUTS} inputs and ends with ${MNIST_CLASSES} classes.`);
    }
  }
  return texts;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description("time training and inference of the seed notebooks' networks, against PyTorch and TensorFlow.js when installed")
    .option('--quick', 'a short run: a subset of the images, fewer epochs, no time-to-accuracy')
    .option('--json', 'print one JSON object (progress goes to stderr)')
    .option('--markdown', "print the tables of docs/benchmarks.md, ready to paste")
    .option('--skip-peers', 'do not run PyTorch or TensorFlow.js')
    .option('--models <list>', 'architectures to run instead of the seeds, comma-separated, e.g. 784-512-d0.2-512-d0.2-10')
    .option('--fp32-only', 'skip the bf16 twin of each model and the int8 prediction')
    .action(async (options: BenchOptions) => {
      // Imported here: the benchmark pulls in the whole library, charts included, which every
      // other command would otherwise pay for at start-up.
      const { runBenchmark } = await import('../../bench/run.js');
      const architectures = options.models === undefined ? undefined : parseModels(options.models);
      await runBenchmark({
        quick: options.quick === true,
        json: options.json === true,
        markdown: options.markdown === true,
        skipPeers: options.skipPeers === true,
        fp32Only: options.fp32Only === true,
        ...(architectures ? { architectures } : {}),
      });
    });
}
