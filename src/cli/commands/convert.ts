/**
 * `digitnet convert IN OUT` and `digitnet export MODEL --format F`: a model file in another format.
 * Both load the model whole (so a bad IN is refused before OUT is touched) and write through the
 * formats' own atomic save paths, so OUT appears complete or not at all.
 */
import type { Command } from 'commander';
import { exportModel, FORMATS, formatNamed, loadModel, type ModelFormat } from '../../saving/formats.js';
import { UsageError } from '../errors.js';
import { print } from '../table.js';

/** The formats the command line writes, with the name a file in each ends in. */
const WRITABLE: Record<string, { ending: string }> = {
  onnx: { ending: '.onnx' },
  tfjs: { ending: '-tfjs' },
  keras: { ending: '.keras' },
  h5: { ending: '.h5' },
  safetensors: { ending: '.safetensors' },
};
const WRITABLE_NAMES = Object.keys(WRITABLE);

export const MODEL_FILE_HELP = 'a model file: .safetensors, .keras, .h5, .onnx, or a TensorFlow.js folder (or its model.json)';

function listed(names: readonly string[]): string {
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function writableFormat(name: string): ModelFormat {
  const lower = name.toLowerCase();
  if (!WRITABLE_NAMES.includes(lower)) throw new UsageError(`--format "${name}" is not a format digitnet writes: use ${listed(WRITABLE_NAMES)}.`);
  return formatNamed(lower);
}

/** The format a name says, as saving reads it: the longest matching ending; a trailing slash is a tfjs folder. */
function formatFromName(out: string): ModelFormat | undefined {
  if (/[/\\]$/.test(out)) return formatNamed('tfjs');
  const lower = out.toLowerCase();
  const matches = FORMATS.flatMap((format) => format.extensions.filter((extension) => lower.endsWith(extension)).map((extension) => ({ format, extension })));
  matches.sort((a, b) => b.extension.length - a.extension.length);
  return matches[0]?.format;
}

/** The format OUT is to be written in: --format, checked against OUT's name, or OUT's name alone. */
function outputFormat(out: string, formatOption: string | undefined): ModelFormat {
  const named = formatFromName(out);
  if (named && !WRITABLE_NAMES.includes(named.name)) {
    throw new UsageError(`${out} names a weights-only file (${named.extensions.join(', ')}), which holds no model: write .onnx, .keras, .h5, .safetensors or a tfjs folder.`);
  }
  if (formatOption !== undefined) {
    const format = writableFormat(formatOption);
    if (named && named.name !== format.name) {
      throw new UsageError(`${out} names the ${named.name} format but --format is ${format.name}: give OUT a name ending in ${WRITABLE[format.name]!.ending === '-tfjs' ? '/ (a folder)' : WRITABLE[format.name]!.ending}, or drop --format.`);
    }
    return format;
  }
  if (!named) {
    throw new UsageError(
      `Cannot tell which format to write ${out} in from its name: end it with .onnx, .keras, .h5, .safetensors or / (a tfjs folder), or give --format ${WRITABLE_NAMES.join('|')}.`,
    );
  }
  return named;
}

async function writeAs(input: string, out: string, format: ModelFormat): Promise<void> {
  const model = loadModel(input);
  await exportModel(model, out, { format: format.name });
  print(`${input} written as ${format.name} to ${out}`);
}

export async function runConvert(input: string, out: string, options: { format?: string }): Promise<void> {
  await writeAs(input, out, outputFormat(out, options.format));
}

/** Where export writes without --out: beside MODEL, with the format's ending in place of MODEL's. */
export function defaultExportPath(input: string, formatName: string): string {
  const bare = input.replace(/[/\\]+$/, '').replace(/[/\\]model\.json$/i, '');
  const stem = bare.replace(/(\.weights\.h5|\.safetensors|\.keras|\.hdf5|\.h5|\.onnx|\.json)$/i, '').replace(/-tfjs$/, '');
  return `${stem}${WRITABLE[formatName]!.ending}`;
}

export async function runExport(input: string, options: { format: string; out?: string }): Promise<void> {
  const format = writableFormat(options.format);
  const out = options.out ?? defaultExportPath(input, format.name);
  if (options.out === undefined && out === input.replace(/[/\\]+$/, '')) {
    throw new UsageError(`${input} is already in the ${format.name} format: give --out PATH for the copy.`);
  }
  await writeAs(input, out, options.out === undefined ? format : outputFormat(out, format.name));
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('read a model in any format digitnet reads and write it in another (the format follows OUT\'s name, or --format)')
    .argument('<in>', MODEL_FILE_HELP)
    .argument('<out>', 'the file to write (.onnx, .keras, .h5, .safetensors), or a folder for --format tfjs')
    .option('--format <name>', `the format to write: ${WRITABLE_NAMES.join('|')}`)
    .action(async (input: string, out: string, options: { format?: string }) => {
      await runConvert(input, out, options);
    });
  program
    .command('export')
    .description('write a saved model in another format, beside it unless --out says where')
    .argument('<model>', MODEL_FILE_HELP)
    .requiredOption('--format <name>', `the format to write: ${WRITABLE_NAMES.join('|')}`)
    .option('--out <path>', 'where to write it (default: MODEL with the format\'s ending; a folder NAME-tfjs for tfjs)')
    .action(async (input: string, options: { format: string; out?: string }) => {
      await runExport(input, options);
    });
}
