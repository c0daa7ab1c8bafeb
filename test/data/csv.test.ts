import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseDigitCsv, readDigitCsv } from '../../src/data/csv.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-csv-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

const PIXELS = 784;
const trainHeader = ['label', ...Array.from({ length: PIXELS }, (_, index) => `pixel${index}`)].join(',');
const testHeader = Array.from({ length: PIXELS }, (_, index) => `pixel${index}`).join(',');

function row(label: number | undefined, seed: number): string[] {
  const pixels = Array.from({ length: PIXELS }, (_, index) => String((index * 7 + seed) % 256));
  return label === undefined ? pixels : [String(label), ...pixels];
}

function parse(text: string, name = 'train.csv') {
  return parseDigitCsv(new TextEncoder().encode(text), name);
}

test('Kaggle train.csv: labels and pixels', () => {
  const text = [trainHeader, row(1, 0).join(','), row(9, 3).join(','), ''].join('\n');
  const path = join(folder, 'train.csv');
  writeFileSync(path, text);
  const set = readDigitCsv(path);
  assert.equal(set.count, 2);
  assert.equal(set.rows, 28);
  assert.equal(set.cols, 28);
  assert.deepEqual(Array.from(set.labels), [1, 9]);
  assert.equal(set.images.length, 2 * PIXELS);
  assert.equal(set.images[5], 35);
  assert.equal(set.images[PIXELS + 100], (700 + 3) % 256);
});

test('Kaggle test.csv without labels, CRLF endings, gzipped', () => {
  const text = [testHeader, row(undefined, 1).join(','), row(undefined, 2).join(',')].join('\r\n') + '\r\n';
  const path = join(folder, 'test.csv.gz');
  writeFileSync(path, gzipSync(text));
  const set = readDigitCsv(path);
  assert.equal(set.count, 2);
  assert.equal(set.labels.length, 0);
  assert.equal(set.images[0], 1);
  assert.equal(set.images[PIXELS + 783], (783 * 7 + 2) % 256);
});

test('header-less "MNIST in CSV" layout', () => {
  const set = parse([row(4, 0).join(','), row(2, 0).join(',')].join('\n'));
  assert.deepEqual(Array.from(set.labels), [4, 2]);
  assert.equal(set.count, 2);
});

test('a bad pixel names the file, line and column', () => {
  const lines = [trainHeader];
  for (let index = 0; index < 16; index++) lines.push(row(index % 10, index).join(','));
  const bad = row(3, 0);
  bad[202] = 'abc';
  lines[16] = bad.join(',');
  assert.throws(() => parse(lines.join('\n')), {
    message: 'train.csv line 17, column 203 (pixel201): "abc" is not an integer in 0..255.',
  });
});

test('values out of range, empty cells and bad labels', () => {
  const big = row(3, 0);
  big[1] = '256';
  assert.throws(() => parse([trainHeader, big.join(',')].join('\n')), {
    message: 'train.csv line 2, column 2 (pixel0): "256" is not an integer in 0..255.',
  });
  const negative = row(3, 0);
  negative[10] = '-1';
  assert.throws(() => parse([trainHeader, negative.join(',')].join('\n')), {
    message: 'train.csv line 2, column 11 (pixel9): "-1" is not an integer in 0..255.',
  });
  const empty = row(3, 0);
  empty[785 - 1] = '';
  assert.throws(() => parse([trainHeader, empty.join(',')].join('\n')), {
    message: 'train.csv line 2, column 785 (pixel783): "" is not an integer in 0..255.',
  });
  assert.throws(() => parse([trainHeader, row(10, 0).join(',')].join('\n')), {
    message: 'train.csv line 2, column 1 (label): "10" is not a label in 0..9.',
  });
  const decimal = row(3, 0);
  decimal[0] = '3.5';
  assert.throws(() => parse([trainHeader, decimal.join(',')].join('\n')), {
    message: 'train.csv line 2, column 1 (label): "3.5" is not a label in 0..9.',
  });
});

test('wrong number of columns', () => {
  const short = row(3, 0).slice(0, 784);
  assert.throws(() => parse([trainHeader, row(1, 0).join(','), short.join(',')].join('\n')), {
    message: 'train.csv line 3: found 784 columns; expected 785.',
  });
  const long = [...row(3, 0), '0'];
  assert.throws(() => parse([trainHeader, long.join(',')].join('\n')), {
    message: 'train.csv line 2: found 786 columns; expected 785.',
  });
});

test('bad headers', () => {
  const header = trainHeader.replace('pixel5,', 'pixelx,');
  assert.throws(() => parse(header + '\n'), { message: 'train.csv line 1, column 7: header "pixelx" should be "pixel5".' });
  assert.throws(() => parse('label,a,b\n'), /^Error: train\.csv line 1: found 3 columns; expected a square number of pixel columns/);
  assert.throws(() => parse(''), { message: 'train.csv line 1: the file is empty; expected a header or a row of pixels.' });
});

test('another separator is named in one short sentence, and long cells are cut', () => {
  assert.throws(() => parse(trainHeader.replaceAll(',', ';') + '\n'), {
    message: 'train.csv line 1: the columns are separated by ";", but a digit CSV file must separate them with commas.',
  });
  assert.throws(() => parse([row(5, 0).join('\t'), row(0, 0).join('\t')].join('\n')), {
    message: 'train.csv line 1: the columns are separated by tabs, but a digit CSV file must separate them with commas.',
  });
  const long = trainHeader.replace('pixel5,', `${'x'.repeat(100)},`);
  assert.throws(() => parse(long + '\n'), { message: `train.csv line 1, column 7: header "${'x'.repeat(39)}…" should be "pixel5".` });
  const semicolons = row(3, 0);
  semicolons[1] = row(3, 0).slice(1, 20).join(';');
  assert.throws(() => parse([trainHeader, semicolons.join(',')].join('\n')), {
    message: `train.csv line 2, column 2 (pixel0): "${semicolons[1]!.slice(0, 39)}…" is not an integer in 0..255.`,
  });
});

test('missing CSV file', () => {
  const path = join(folder, 'nope.csv');
  assert.throws(() => readDigitCsv(path), { message: `${path} not found.` });
});
