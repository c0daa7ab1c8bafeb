/**
 * The `digitnet` command: builds the commander program from one file per command and maps
 * every outcome to an exit code — 0 success, 1 an error (one sentence, no stack trace unless
 * DIGITNET_DEBUG=1), 2 a usage error, 130 training stopped by Ctrl-C.
 */
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCompare } from './commands/compare.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExplore } from './commands/explore.js';
import { registerInfo } from './commands/info.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerStudio } from './commands/studio.js';
import { registerSummary } from './commands/summary.js';
import { registerTrain } from './commands/train.js';
import { CliError, EXIT_ERROR, EXIT_OK, EXIT_USAGE, plainErrorMessage } from './errors.js';
import { packageVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('digitnet')
    .description('Keras-style dense networks on MNIST: train, evaluate, predict and explore from the terminal.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    // Set before the commands are added, so every subcommand inherits them.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`digitnet: ${text}`),
    });
  registerExplore(program);
  registerTrain(program);
  registerEvaluate(program);
  registerSummary(program);
  registerPredict(program);
  registerReport(program);
  registerCompare(program);
  registerStudio(program);
  registerInfo(program);
  registerBench(program);
  return program;
}

function debugging(): boolean {
  const flag = process.env.DIGITNET_DEBUG;
  return flag !== undefined && flag !== '' && flag !== '0';
}

/** The message as one line, ending with a full stop. */
function sentence(message: string): string {
  const line = message.replace(/\s*\n\s*/g, ' ').trim();
  return /[.!?)]$/.test(line) ? line : `${line}.`;
}

/** Runs digitnet on `argv` (as process.argv: node, script, arguments) and returns the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0; commander has printed
      // everything already.
      if (error.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    const exitCode = error instanceof CliError ? error.exitCode : EXIT_ERROR;
    const message = plainErrorMessage(error);
    process.stderr.write(`digitnet: error: ${sentence(message)}\n`);
    if (exitCode === EXIT_USAGE) process.stderr.write('(add --help for usage)\n');
    if (debugging() && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCode;
  }
}

/** The entry point bin/digitnet.js calls. */
export async function run(): Promise<void> {
  // `digitnet explore | head` closes the pipe early: that is the reader's choice, not an error.
  // The command goes on without its standard output: `train ... --save m | head` still trains
  // and saves.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.stdout.write = (() => true) as typeof process.stdout.write;
  });
  process.exitCode = await main(process.argv);
}
