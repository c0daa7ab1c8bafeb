import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, readIdx, writeIdx } from '../../src/data/idx.js';
import type { IdxData } from '../../src/data/idx.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-idx-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

const samples: { dtype: string; dims: number[]; data: IdxData }[] = [
  { dtype: 'ubyte', dims: [2, 3, 2], data: Uint8Array.from([0, 1, 2, 3, 250, 255, 9, 8, 7, 6, 5, 4]) },
  { dtype: 'byte', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'short', dims: [2, 2], data: Int16Array.from([-32768, -2, 513, 32767]) },
  { dtype: 'int', dims: [3], data: Int32Array.from([-2147483648, 65536 + 7, 2147483647]) },
  { dtype: 'float', dims: [1, 3], data: Float32Array.from([0.5, -1.25, 3.4e38]) },
  { dtype: 'double', dims: [2], data: Float64Array.from([Math.PI, -1e-300]) },
];

for (const sample of samples) {
  for (const suffix of ['', '.gz']) {
    test(`IDX ${sample.dtype}${suffix} round-trips`, () => {
      const path = join(folder, `${sample.dtype}.idx${suffix}`);
      writeIdx(path, sample.dims, sample.data);
      const read = readIdx(path);
      assert.equal(read.dtype, sample.dtype);
      assert.deepEqual(read.dims, sample.dims);
      assert.equal(read.data.constructor, sample.data.constructor);
      assert.deepEqual(Array.from(read.data), Array.from(sample.data));
    });
  }
}

test('IDX header is big-endian with the documented type code', () => {
  const bytes = encodeIdx([1, 2], Int16Array.from([1, 2]));
  assert.deepEqual(Array.from(bytes), [0, 0, 0x0b, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 2]);
});

test('IDX with a bad magic number names the file and the bytes', () => {
  const path = join(folder, 'bad-magic');
  const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
  bytes[0] = 0x1a;
  writeFileSync(path, bytes);
  assert.throws(() => readIdx(path), { message: 'bad-magic: not an IDX file: the magic number starts 0x1A 0x00 but must start 0x00 0x00.' });
});

test('IDX with an unknown type code lists the valid ones', () => {
  const path = join(folder, 'bad-type');
  const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
  bytes[2] = 0x07;
  writeFileSync(path, bytes);
  assert.throws(() => readIdx(path), /^Error: bad-type: IDX type code 0x07 is not one of 0x08 \(ubyte\), 0x09 \(byte\)/);
});

test('IDX with the wrong length says what was expected', () => {
  const path = join(folder, 'train-images-idx3-ubyte');
  const bytes = new Uint8Array(1000);
  bytes.set([0, 0, 0x08, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]);
  writeFileSync(path, bytes);
  assert.throws(() => readIdx(path), {
    message: 'train-images-idx3-ubyte: expected 47040016 bytes for 60000×28×28 ubyte, found 1000.',
  });
  const extra = new Uint8Array(encodeIdx([3], Uint8Array.from([1, 2, 3])).length + 1);
  extra.set(encodeIdx([3], Uint8Array.from([1, 2, 3])));
  writeFileSync(join(folder, 'long'), extra);
  assert.throws(() => readIdx(join(folder, 'long')), { message: 'long: expected 11 bytes for 3 ubyte, found 12.' });
});

test('IDX with a damaged dimension or dimension count says so in one short sentence', () => {
  const huge = new Uint8Array(1000);
  huge.set([0, 0, 0x08, 3, 0, 0, 0xea, 0x60, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28]);
  writeFileSync(join(folder, 'huge'), huge);
  assert.throws(() => readIdx(join(folder, 'huge')), {
    message: 'huge: IDX dimension 2 of 3 is 4294967295, which asks for more than 4 GiB of data: the header is damaged or this is not an IDX file.',
  });
  // A dimension count of 200 reads pixels as dimensions, many of them (and so the product) huge.
  const garbage = new Uint8Array(5000).map((_, index) => (index * 37) % 256);
  garbage.set([0, 0, 0x08, 200]);
  writeFileSync(join(folder, 'garbage'), garbage);
  assert.throws(() => readIdx(join(folder, 'garbage')), /^Error: garbage: IDX dimension \d+ of 200 is \d+, which asks for more than 4 GiB of data: the header is damaged or this is not an IDX file\.$/);
  // Zeros read as dimensions make no data at all: the count is shown, not 60 dimensions.
  const zeros = new Uint8Array(2000);
  zeros.set([0, 0, 0x08, 60]);
  writeFileSync(join(folder, 'zeros'), zeros);
  assert.throws(() => readIdx(join(folder, 'zeros')), { message: 'zeros: expected 244 bytes for 60 dimensions (0×0×0×…) of ubyte, found 2000.' });
});

test('IDX truncated inside the header or the gzip stream', () => {
  const full = encodeIdx([2, 2, 2], new Uint8Array(8));
  writeFileSync(join(folder, 'short-header'), full.subarray(0, 9));
  assert.throws(() => readIdx(join(folder, 'short-header')), {
    message: 'short-header: expected at least 16 bytes for an IDX header with 3 dimensions, found 9.',
  });
  writeFileSync(join(folder, 'tiny'), full.subarray(0, 2));
  assert.throws(() => readIdx(join(folder, 'tiny')), { message: 'tiny: expected at least 4 bytes for the IDX magic number, found 2.' });
  const gz = gzipSync(encodeIdx([100], new Uint8Array(100).fill(3)));
  writeFileSync(join(folder, 'cut.gz'), gz.subarray(0, gz.length - 10));
  assert.throws(() => readIdx(join(folder, 'cut.gz')), /^Error: cut\.gz: the gzip data is corrupt or truncated/);
});

test('IDX missing file', () => {
  const path = join(folder, 'nothing-here');
  assert.throws(() => readIdx(path), { message: `${path} not found.` });
});
