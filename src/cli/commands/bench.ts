/** `digitnet bench`: the benchmark of src/bench/run.ts against PyTorch and TensorFlow.js. */
import type { Command } from 'commander';

export interface BenchOptions {
  quick?: boolean;
  json?: boolean;
  markdown?: boolean;
  skipPeers?: boolean;
  models?: string;
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
    .action(async (options: BenchOptions) => {
      // Imported here: the benchmark pulls in the whole library, charts included, which every
      // other command would otherwise pay for at start-up.
      const { runBenchmark } = await import('../../bench/run.js');
      const architectures = options.models?.split(',').map((text) => text.trim()).filter((text) => text !== '');
      await runBenchmark({
        quick: options.quick === true,
        json: options.json === true,
        markdown: options.markdown === true,
        skipPeers: options.skipPeers === true,
        ...(architectures && architectures.length > 0 ? { architectures } : {}),
      });
    });
}
