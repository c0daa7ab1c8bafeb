/**
 * A finished (or interrupted) training is never thrown away: Ctrl-C keeps what was trained, a
 * save that fails falls back to another folder, and the folders are tried before training.
 * Runs the built `digitnet` (node scripts/run-tests.js builds dist/ first).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dense, flatten, loadModel, sequential } from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'digitnet.js');
const dir = mkdtempSync(join(tmpdir(), 'digitnet-keep-'));
const env = { ...process.env, DIGITNET_DEBUG: '', DIGITNET_THREADS: '1' };

interface Ended { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs train, sending SIGINT once `trigger` appears (the second epoch beginning), and with `count` 2 again once it said it is stopping. */
function trainInterrupted(args: string[], count: number, trigger = /Epoch 2\//): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'train', ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (!sent && trigger.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    let again = count > 1;
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      if (again && /stopping after this batch/.test(stderr)) {
        again = false;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const small = ['--limit', '3000', '--layers', '16', '--epochs', '200', '--seed', '1', '--verbose', '2'];

test('the first Ctrl-C stops after the batch, evaluates, and saves the model trained so far, saying so', async () => {
  const model = join(dir, 'interrupted.safetensors');
  const json = join(dir, 'interrupted.json');
  const run = await trainInterrupted([...small, '--save', model, '--json', json], 1);
  assert.equal(run.status, 130, run.stderr);
  assert.match(run.stderr, /stopping after this batch; the model trained so far will be evaluated and saved to .*interrupted\.safetensors/);
  assert.match(run.stderr, /Training was stopped by Ctrl-C in epoch \d+ of 200; the model trained so far was saved to .*interrupted\.safetensors\./);
  assert.match(run.stdout, /Test loss: [\d.]+ - test accuracy: /);
  assert.equal(loadModel(model).countParams(), 784 * 16 + 16 + 16 * 10 + 10);
  const figures = JSON.parse(readFileSync(json, 'utf8'));
  assert.ok(figures.epochs >= 1 && figures.epochs < 200, `${figures.epochs} epochs recorded`);
  assert.equal(figures.savedTo, model);
});

test('a second Ctrl-C quits at once, as Ctrl-C does by default', async () => {
  // Stopped in its first epoch, a 512-512 model takes a while to evaluate on the 10,000 test images: the second Ctrl-C lands there.
  const model = join(dir, 'second.safetensors');
  const run = await trainInterrupted([...small, '--epochs', '5000', '--limit', '1000', '--layers', '512,512', '--save', model], 2, /Epoch 1\//);
  assert.equal(run.signal, 'SIGINT', `${run.status} ${run.stderr}`);
  // The first Ctrl-C says what a second one does: no JavaScript runs during the evaluation to say it then.
  assert.match(run.stderr, /stopping after this batch; .* \(press Ctrl-C again to quit at once\)\./);
  assert.doesNotMatch(run.stdout, /Test loss/);
  // Quit before the save began: no model and no half-written temporary file.
  assert.equal(existsSync(model), false);
  assert.deepEqual(readdirSync(dir).filter((name) => name.includes('second') && name.endsWith('.tmp')), []);
});

test('a folder that refuses new files is found before training, even as root', { skip: !existsSync('/proc/self') && 'no /proc here' }, () => {
  const run = spawnSync(process.execPath, [bin, 'train', '--limit', '100', '--epochs', '1', '--save', '/proc/digitnet.safetensors'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /--save \/proc\/digitnet\.safetensors cannot be written: (a test file could not be created in \/proc \(.+\)|this user may not write in the folder \/proc)\./);
  assert.doesNotMatch(run.stdout, /Epoch/);
});

const isRoot = process.getuid?.() === 0;

test('a save that fails on a full disk keeps the model in the working directory, and still writes the figures', { skip: !isRoot && 'needs root to mount a 1 MB tmpfs (run the tests as root to include it)' }, (t) => {
  const full = join(dir, 'full');
  mkdirSync(full);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`mount -t tmpfs failed (${mounted.stderr.trim() || mounted.error?.message}); a container may forbid it`);
    return;
  }
  try {
    const model = join(full, 'model.safetensors');
    const json = join(full, 'run.json');
    // 784 × 512 weights with Adam's two moments: 4.8 MB, on a 1 MB file system that takes the probe and the JSON.
    const run = spawnSync(process.execPath, [bin, 'train', '--limit', '500', '--layers', '512', '--epochs', '1', '--seed', '1', '--save', model, '--json', json, '--quiet'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    const fallback = readdirSync(dir).find((name) => name.startsWith('digitnet-unsaved-'));
    assert.ok(fallback, `a fallback file in the working directory: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`Cannot write .*model\\.safetensors: the disk is full; any file already there is unchanged\\. The trained model was saved to .*${fallback} instead\\.`));
    assert.equal(loadModel(join(dir, fallback)).countParams(), 784 * 512 + 512 + 5130);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).savedTo, join(dir, fallback));
    assert.match(run.stdout, /Model saved to .*digitnet-unsaved-/);
    assert.deepEqual(readdirSync(full).filter((name) => name.endsWith('.tmp')), []);
  } finally {
    spawnSync('umount', [full]);
  }
});

test('a failed save leaves the model already at --save untouched and, when the working directory is full too, keeps the new one in the temporary folder; a read-only folder is refused before training', { skip: !isRoot && 'needs root to mount a 1 MB tmpfs (run the tests as root to include it)' }, (t) => {
  const full = join(dir, 'full-again');
  const temporary = join(dir, 'temporary');
  mkdirSync(full);
  mkdirSync(temporary);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', full], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(`mount -t tmpfs failed (${mounted.stderr.trim() || mounted.error?.message}); a container may forbid it`);
    return;
  }
  try {
    const model = join(full, 'model.safetensors');
    sequential([flatten({ inputShape: [28, 28] }), dense({ units: 4, activation: 'softmax' })], { seed: 1 }).save(model);
    const before = readFileSync(model);
    // The working directory is the full disk too: the fallback goes on to the temporary folder.
    const run = spawnSync(process.execPath, [bin, 'train', '--limit', '500', '--layers', '512', '--epochs', '1', '--seed', '1', '--save', model, '--quiet'], {
      cwd: full,
      env: { ...env, TMPDIR: temporary },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    const fallback = readdirSync(temporary).find((name) => name.startsWith('digitnet-unsaved-'));
    assert.ok(fallback, `a fallback file in the temporary folder: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`the disk is full; any file already there is unchanged\\. The trained model was saved to ${join(temporary, fallback).replace(/[.]/g, '\\.')} instead\\.`));
    assert.equal(loadModel(join(temporary, fallback)).countParams(), 784 * 512 + 512 + 5130);
    assert.deepEqual(readFileSync(model), before, 'the model already saved is unchanged');
    assert.deepEqual(readdirSync(full).filter((name) => name !== 'model.safetensors'), [], 'nothing half-written is left');

    // Read-only: found by the check before training, and the file there is kept.
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', full]).status, 0);
    const readOnly = spawnSync(process.execPath, [bin, 'train', '--limit', '100', '--epochs', '1', '--save', model], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(readOnly.status, 1, readOnly.stderr);
    assert.match(readOnly.stderr, /--save .*model\.safetensors cannot be written: (this user may not write in the folder|a test file could not be created in) .*full-again/);
    assert.doesNotMatch(readOnly.stdout, /Epoch/);
    assert.deepEqual(readFileSync(model), before);
  } finally {
    spawnSync('umount', [full]);
  }
});
