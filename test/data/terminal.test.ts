import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist } from '../../src/data/mnist.js';
import { renderDigit, renderDigitRow } from '../../src/data/terminal.js';

test('renderDigit draws 28 rows as 14 lines of 28 characters', () => {
  const { train } = loadMnist();
  const drawing = renderDigit(train.images.subarray(0, 784));
  const lines = drawing.split('\n');
  assert.equal(lines.length, 14);
  for (const line of lines) assert.equal([...line].length, 28);
  assert.match(drawing, /█/);
  assert.equal(lines[0], ' '.repeat(28));
  const blocks = renderDigit(train.images.subarray(0, 784), 28, 28, { style: 'half-blocks' });
  assert.equal(blocks.split('\n').length, 14);
  assert.match(blocks, /[▀▄]/);
});

test('renderDigit shading and half-blocks on a tiny image', () => {
  assert.equal(renderDigit(Uint8Array.from([0, 255, 0, 255, 64, 255]), 3, 2), ' █\n░▒');
  assert.equal(renderDigit(Uint8Array.from([255, 0, 0, 255]), 2, 2, { style: 'half-blocks' }), '▀▄');
  assert.throws(() => renderDigit(new Uint8Array(10)), { message: 'A 28×28 digit needs 784 pixels, not 10.' });
});

test('renderDigitRow puts labels above digits side by side', () => {
  const { test: testSet } = loadMnist();
  const images = [0, 1, 2].map((index) => testSet.images.subarray(index * 784, (index + 1) * 784));
  const text = renderDigitRow(images, [7, '2', '1→7']);
  const lines = text.split('\n');
  assert.equal(lines.length, 15);
  assert.equal(lines[0]!.trimStart().startsWith('7'), true);
  assert.match(lines[0]!, /^ {13}7 {14} {2} {13}2 {14} {2} {12}1→7$/);
  assert.throws(() => renderDigitRow(images, [1]), { message: 'renderDigitRow got 3 images but 1 labels; give one label per image.' });
});

test('renderDigitRow wraps digits that do not fit the width onto further rows', () => {
  const digit = Uint8Array.from([255, 0, 0, 255]);
  const five = Array.from({ length: 5 }, () => digit);
  // 2 columns a digit and 2 between: 10 characters hold 3 digits.
  assert.equal(renderDigitRow(five, [1, 2, 3, 4, 5], { rows: 2, cols: 2, width: 10 }), '1   2   3\n▒▒  ▒▒  ▒▒\n\n4   5\n▒▒  ▒▒');
  assert.equal(renderDigitRow(five, [1, 2, 3, 4, 5], { rows: 2, cols: 2 }).split('\n').length, 2);
  assert.equal(renderDigitRow([digit, digit], [1, 2], { rows: 2, cols: 2, width: 1 }), '1\n▒▒\n\n2\n▒▒');
  assert.throws(() => renderDigitRow([digit], [1], { rows: 2, cols: 2, width: 0 }), {
    message: 'renderDigitRow width 0 is invalid: give the widest line as a positive whole number of characters.',
  });
});
