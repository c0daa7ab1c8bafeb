import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { backupAndRestore, dense, sequential, tensor } from '../../src/index.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'backup-child.ts');
const folder = mkdtempSync(join(tmpdir(), 'digitnet-backup-'));

/** Runs the child; with killAfter, SIGKILLs it once it has printed that many more batch lines. Resolves to the lines seen. */
function runChild(args: string[], killAfter?: number): Promise<{ lines: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      lines += chunk.toString().split('\n').length - 1;
      if (killAfter !== undefined && lines >= killAfter) process_.kill('SIGKILL');
    });
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    process_.on('error', reject);
    process_.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lines, killed: true });
      else if (code === 0) resolve({ lines, killed: false });
      else reject(new Error(`the child exited with ${code}: ${stderr}`));
    });
  });
}

test('a training SIGKILLed mid-epoch several times and run again ends with exactly the weights of an uninterrupted run', async () => {
  const straightOut = join(folder, 'straight.json');
  const straight = await runChild([join(folder, 'unused'), straightOut, '--no-backup']);
  assert.equal(straight.killed, false);
  // 6 epochs of 34 batches (540 training samples in batches of 16).
  assert.equal(straight.lines, 6 * 34);

  const backupDir = join(folder, 'backup');
  const resumedOut = join(folder, 'resumed.json');
  // Kill points inside epochs 1, 2 and 4, between backups (every 7 batches) and across an epoch's end.
  let total = 0;
  for (const after of [23, 40, 65]) {
    const run = await runChild([backupDir, resumedOut], after);
    assert.equal(run.killed, true, `the child finished before batch line ${after}`);
    assert.ok(existsSync(join(backupDir, 'backup.safetensors')), 'a backup was left behind by the killed run');
    total += run.lines;
  }
  const last = await runChild([backupDir, resumedOut]);
  assert.equal(last.killed, false);
  // The reruns repeated the batches after their last backup, so more lines than one run printed.
  assert.ok(total + last.lines > straight.lines, `${total + last.lines} batch lines in all`);
  assert.ok(last.lines < straight.lines, 'the last run resumed rather than starting again');
  assert.ok(!existsSync(join(backupDir, 'backup.safetensors')), 'the backup is removed once training ends');
  assert.deepEqual(JSON.parse(readFileSync(resumedOut, 'utf8')), JSON.parse(readFileSync(straightOut, 'utf8')));
});

test('a backup from another model or other data is refused with one sentence', async () => {
  const backupDir = join(folder, 'other');
  const x = tensor(new Float32Array(40 * 3).fill(0.5), [40, 3]);
  const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  const make = (units: number) => {
    const model = sequential([dense({ units, activation: 'softmax', inputShape: [3] })], { seed: 1 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    return model;
  };
  const keep = backupAndRestore({ backupDir, deleteCheckpoint: false });
  await make(2).fit(x, y, { epochs: 1, verbose: 0, callbacks: [keep] });
  await assert.rejects(make(3).fit(x, y, { epochs: 1, verbose: 0, callbacks: [backupAndRestore({ backupDir })] }), /^Error: backupAndRestore\(\): .*backup\.safetensors cannot be resumed from: it has no tensor "weight\/dense\/kernel" of 9 values: it was written for another model; remove it to start again\.$/);
  await assert.rejects(make(2).fit(tensor(x.data.subarray(0, 60), [20, 3]), y.subarray(0, 20), { epochs: 2, verbose: 0, callbacks: [backupAndRestore({ backupDir })] }), /^Error: Cannot resume: the backup is of a fit over 40 samples \(at batch 0\) but this fit trains on 20 in 1 batches; give the same data and batchSize, or another backupDir\.$/);
  assert.throws(() => backupAndRestore({ backupDir: '' }), /^Error: backupAndRestore\(\): backupDir must be a folder path; got ""\.$/);
  assert.throws(() => backupAndRestore({ backupDir, saveFreq: 0 }), /^Error: backupAndRestore\(\): saveFreq must be "epoch" or a positive integer; got 0\.$/);
});
