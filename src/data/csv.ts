/**
 * Kaggle "Digit Recognizer" CSV files: `label,pixel0,...,pixel783` (train.csv) or
 * `pixel0,...,pixel783` (test.csv, no labels). Header-less files in the same column order
 * (as in the common "MNIST in CSV" conversions) are accepted too. The image side is the square
 * root of the pixel count. The file is scanned byte by byte so a 76 MB train.csv costs no
 * per-cell strings.
 */
import { basename } from 'node:path';
import { oneLine } from '../validation.js';
import { readMaybeGzipped } from './idx.js';
import type { ImageSet } from './tensor.js';

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

interface Layout {
  readonly labelled: boolean;
  readonly pixels: number;
  readonly side: number;
  readonly hasHeader: boolean;
}

function lineEnd(bytes: Uint8Array, start: number): number {
  const end = bytes.indexOf(NEWLINE, start);
  return end === -1 ? bytes.length : end;
}

function contentEnd(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === RETURN ? end - 1 : end;
}

/** Echoed cell text, cut to `limit` characters: a bad cell can be a whole line of another format. */
function clip(text: string, limit = 40): string {
  return oneLine(text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
}

// Separators other CSV dialects use (spreadsheets in many locales write semicolons).
const OTHER_SEPARATORS = [';', '\t', '|'] as const;

function layoutFrom(fields: string[], name: string): Layout {
  const other = fields.length === 1 ? OTHER_SEPARATORS.find((separator) => fields[0]!.includes(separator)) : undefined;
  if (other !== undefined) {
    throw new Error(`${name} line 1: the columns are separated by ${other === '\t' ? 'tabs' : `"${other}"`}, but a digit CSV file must separate them with commas.`);
  }
  const hasHeader = fields.some((field) => !/^\s*\d+\s*$/.test(field));
  const labelled = hasHeader ? fields[0]!.trim() === 'label' : !isSquare(fields.length);
  const pixels = fields.length - (labelled ? 1 : 0);
  if (!isSquare(pixels) || pixels === 0) {
    throw new Error(
      `${name} line 1: found ${fields.length} columns; expected a square number of pixel columns (784 for 28×28), optionally after a label column.`,
    );
  }
  if (hasHeader) {
    fields.forEach((field, index) => {
      const expected = labelled ? (index === 0 ? 'label' : `pixel${index - 1}`) : `pixel${index}`;
      if (field.trim() !== expected) {
        throw new Error(`${name} line 1, column ${index + 1}: header "${clip(field)}" should be "${expected}".`);
      }
    });
  }
  return { labelled, pixels, side: Math.round(Math.sqrt(pixels)), hasHeader };
}

function isSquare(value: number): boolean {
  const root = Math.round(Math.sqrt(value));
  return root * root === value;
}

function columnName(layout: Layout, column: number): string {
  if (layout.labelled) return column === 0 ? 'label' : `pixel${column - 1}`;
  return `pixel${column}`;
}

/** Parses a Kaggle digit CSV (plain or gzipped) into an ImageSet; labels are empty for test.csv. */
export function readDigitCsv(path: string): ImageSet {
  const name = basename(path);
  return parseDigitCsv(readMaybeGzipped(path, name), name);
}

/** Parses CSV bytes; `name` is used in error messages. */
export function parseDigitCsv(bytes: Uint8Array, name: string): ImageSet {
  const firstEnd = lineEnd(bytes, 0);
  const firstLine = new TextDecoder().decode(bytes.subarray(0, contentEnd(bytes, 0, firstEnd)));
  if (firstLine.trim() === '') throw new Error(`${name} line 1: the file is empty; expected a header or a row of pixels.`);
  const layout = layoutFrom(firstLine.split(','), name);
  const columns = layout.pixels + (layout.labelled ? 1 : 0);

  // Upper bound on rows, so the arrays are allocated once.
  let maxRows = 1;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) maxRows++;
  // A row takes at least a digit and a comma per column: without this bound, a wide header over
  // many blank lines would ask for rows × pixels bytes, quadratic in the file's size.
  maxRows = Math.min(maxRows, Math.floor(bytes.length / (2 * columns - 1)) + 1);
  const images = new Uint8Array(maxRows * layout.pixels);
  const labels = new Uint8Array(layout.labelled ? maxRows : 0);

  const fail = (line: number, column: number, start: number, end: number, problem: string): never => {
    const text = new TextDecoder().decode(bytes.subarray(start, end));
    throw new Error(`${name} line ${line}, column ${column + 1} (${columnName(layout, column)}): "${clip(text)}" ${problem}.`);
  };

  const columnCountError = (line: number, start: number, end: number): never => {
    let found = 1;
    for (let scan = start; scan < end; scan++) if (bytes[scan] === COMMA) found++;
    throw new Error(`${name} line ${line}: found ${found} columns; expected ${columns}.`);
  };
  const firstPixelColumn = layout.labelled ? 1 : 0;

  let count = 0;
  let line = layout.hasHeader ? 2 : 1;
  let position = layout.hasHeader ? Math.min(firstEnd + 1, bytes.length) : 0;
  while (position < bytes.length) {
    const end = contentEnd(bytes, position, lineEnd(bytes, position));
    if (end === position) {
      // Blank lines (typically a trailing newline pair) carry nothing.
      position = lineEnd(bytes, position) + 1;
      line++;
      continue;
    }
    const pixelOffset = count * layout.pixels - firstPixelColumn;
    let at = position;
    for (let column = 0; column < columns; column++) {
      const fieldStart = at;
      let value = 0;
      let byte = 0;
      while (at < end && (byte = bytes[at]!) >= ZERO && byte <= NINE) {
        value = value * 10 + (byte - ZERO);
        at++;
      }
      const isLabel = column < firstPixelColumn;
      if (at < end && byte !== COMMA) {
        let fieldEnd = at;
        while (fieldEnd < end && bytes[fieldEnd] !== COMMA) fieldEnd++;
        fail(line, column, fieldStart, fieldEnd, isLabel ? 'is not a label in 0..9' : 'is not an integer in 0..255');
      }
      if (at >= end && column < columns - 1) columnCountError(line, position, end);
      if (isLabel) {
        if (at === fieldStart || value > 9) fail(line, column, fieldStart, at, 'is not a label in 0..9');
        labels[count] = value;
      } else {
        if (at === fieldStart || value > 255) fail(line, column, fieldStart, at, 'is not an integer in 0..255');
        images[pixelOffset + column] = value;
      }
      at++; // past the comma
    }
    if (at <= end) columnCountError(line, position, end);
    count++;
    line++;
    position = lineEnd(bytes, end) + 1;
  }
  return {
    images: images.slice(0, count * layout.pixels),
    labels: labels.slice(0, layout.labelled ? count : 0),
    count,
    rows: layout.side,
    cols: layout.side,
  };
}
