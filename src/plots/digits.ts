/** plotDigits: a grid of digits with their labels and, given predictions, the model's answer. */
import { digitGridSpec, type DigitTile } from '../report/charts.js';
import { digitPng, pngDataUri } from '../report/digits-png.js';
import { labelsOf, type LabelsInput } from '../report/labels.js';
import type { ImageSet, Tensor } from '../data/tensor.js';
import { formatValue } from '../validation.js';
import { Chart } from './chart.js';
import { imageGridOf } from './inputs.js';

export interface PlotDigitsOptions {
  /** True labels; an image set's own labels by default. */
  readonly labels?: LabelsInput;
  /** Predicted labels, or predict's probabilities (their argmax). Wrong ones are captioned in red. */
  readonly predictions?: LabelsInput;
  /** How many digits, from `start`; 10 by default. */
  readonly count?: number;
  readonly start?: number;
  readonly columns?: number;
  readonly title?: string;
}

export function plotDigits(images: ImageSet | Tensor, options: PlotDigitsOptions = {}): Chart {
  const grid = imageGridOf(images, 'plotDigits(): images');
  if (typeof options !== 'object' || options === null) throw new TypeError(`plotDigits(): options is ${formatValue(options)}; it must be an object such as { count: 10 }.`);
  const start = options.start ?? 0;
  if (!Number.isInteger(start) || start < 0 || start >= grid.count) {
    throw new RangeError(`plotDigits(): start is ${formatValue(start)}; it must be an integer from 0 to ${grid.count - 1}.`);
  }
  const count = options.count ?? Math.min(10, grid.count - start);
  if (!Number.isInteger(count) || count < 1 || start + count > grid.count) {
    throw new RangeError(`plotDigits(): count is ${formatValue(count)}; it must be an integer from 1 to ${grid.count - start} (images from ${start}).`);
  }
  const labels = options.labels === undefined ? grid.labels : labelsOf(options.labels, 'plotDigits(): labels');
  const predictions = options.predictions === undefined ? undefined : labelsOf(options.predictions, 'plotDigits(): predictions');
  for (const [name, values] of [['labels', labels], ['predictions', predictions]] as const) {
    if (values !== undefined && values.length > 0 && values.length < start + count) {
      throw new RangeError(`plotDigits(): ${name} has ${values.length} entries but digits ${start} to ${start + count - 1} are shown; give one per image.`);
    }
  }
  const tiles: DigitTile[] = [];
  for (let index = start; index < start + count; index++) {
    const image = pngDataUri(digitPng(grid.pixels, index, { rows: grid.rows, cols: grid.cols, scale: 2 }));
    const label = labels !== undefined && labels.length > 0 ? labels[index] : undefined;
    const predicted = predictions?.[index];
    if (predicted === undefined) {
      tiles.push({ image, caption: label === undefined ? `#${index}` : `label ${label}` });
    } else {
      tiles.push({
        image,
        caption: `predicted ${predicted}`,
        ...(label === undefined ? {} : { detail: `label ${label}`, wrong: predicted !== label }),
      });
    }
  }
  const title = options.title ?? (predictions ? 'Predictions' : 'Digits');
  return new Chart('digits', title, digitGridSpec(tiles, title, options.columns ?? 10));
}
