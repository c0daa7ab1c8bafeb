import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatBytes, readRegularFile } from '../../src/io/read-file.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-read-'));
const options = { maxBytes: 1000, what: 'model file' };

test('a regular file within the limit is read whole', () => {
  const path = join(folder, 'small.bin');
  writeFileSync(path, Buffer.from([1, 2, 3]));
  assert.deepEqual([...readRegularFile(path, options)], [1, 2, 3]);
});

test('a device, a FIFO, a folder, a file over the limit and a symbolic link loop are refused at once', { skip: process.platform === 'win32' && 'no FIFOs or /dev/zero on Windows' }, () => {
  assert.throws(() => readRegularFile('/dev/zero', options), { message: '/dev/zero is a character device, not a model file: give a file saved on disk.' });
  const fifo = join(folder, 'pipe');
  execFileSync('mkfifo', [fifo]);
  // Opening a FIFO for reading would wait for a writer: this must return, not block the test.
  assert.throws(() => readRegularFile(fifo, options), { message: `${fifo} is a named pipe (FIFO), not a model file: give a file saved on disk.` });
  assert.throws(() => readRegularFile(folder, options), { message: `${folder} is a folder, not a model file.` });
  const large = join(folder, 'large.bin');
  writeFileSync(large, Buffer.alloc(2048));
  assert.throws(() => readRegularFile(large, options), { message: `${large} is 2 KiB, more than the 1,000 bytes a model file may have.` });
  const loop = join(folder, 'loop');
  symlinkSync(loop, loop);
  assert.throws(() => readRegularFile(loop, options), { message: `${loop} cannot be opened: its symbolic links point in a loop.` });
  assert.throws(() => readRegularFile(join(folder, 'absent'), options), { message: `${join(folder, 'absent')} not found.` });
  assert.throws(() => readRegularFile(join(folder, 'absent'), { ...options, missing: 'Gone.' }), { message: 'Gone.' });
});

test('formatBytes says sizes as people do', () => {
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(2 ** 31), '2 GiB');
  assert.equal(formatBytes(389 * 1024 + 100), '389.1 KiB');
});
