/**
 * The knobs every example reads from the environment, so a test (or an impatient reader) can
 * run it on a slice of MNIST for an epoch or two:
 *
 *   DIGITNET_EXAMPLE_LIMIT=1000   train on the first 1000 images
 *   DIGITNET_EXAMPLE_EPOCHS=1     train for at most 1 epoch
 *   DIGITNET_EXAMPLE_OUT=DIR      write charts and models to DIR (default out/examples/<name>)
 *
 * Without them the examples train exactly as their notebooks did.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart, takeFirst, type ImageSet, type Tensor } from 'digitnet';

type ChartSpec = Parameters<typeof renderChart>[2];

export interface ExampleSettings {
  /** How many training images to use; undefined for all of them. */
  readonly limit: number | undefined;
  /** The folder the example writes to (created). */
  readonly out: string;
  /** The notebook's epoch count, capped by DIGITNET_EXAMPLE_EPOCHS. */
  epochs(notebookEpochs: number): number;
  /** The first `limit` images of a training set (all of them without a limit). */
  take(set: ImageSet): ImageSet;
  /** Renders a Vega-Lite chart spec to out/<name>.png and returns the file's path. */
  savePng(name: string, title: string, spec: ChartSpec): Promise<string>;
}

function positiveIntegerFromEnvironment(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${text} is not allowed: give a positive integer.`);
  return value;
}

export function exampleSettings(name: string): ExampleSettings {
  const limit = positiveIntegerFromEnvironment('DIGITNET_EXAMPLE_LIMIT');
  const maxEpochs = positiveIntegerFromEnvironment('DIGITNET_EXAMPLE_EPOCHS');
  const out = process.env.DIGITNET_EXAMPLE_OUT?.trim() || join('out', 'examples', name);
  mkdirSync(out, { recursive: true });
  if (limit !== undefined || maxEpochs !== undefined) {
    console.log(`(quick run: ${limit ?? 'all'} training images, at most ${maxEpochs === undefined ? "the notebook's" : maxEpochs} epoch${maxEpochs === 1 ? '' : 's'})\n`);
  }
  return {
    limit,
    out,
    epochs: (notebookEpochs) => Math.min(notebookEpochs, maxEpochs ?? Infinity),
    take: (set) => (limit === undefined ? set : takeFirst(set, limit)),
    async savePng(file, title, spec) {
      const chart = await renderChart(file, title, spec);
      const path = join(out, `${file}.png`);
      writeFileSync(path, chart.png);
      console.log(`wrote ${path}`);
      return path;
    },
  };
}

/** NumPy's name for a tensor's element type. */
export function dtype(tensor: Tensor): string {
  return tensor.data instanceof Uint8Array ? 'uint8' : 'float32';
}

/** A shape as Python prints a tuple: (60000, 28, 28). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
