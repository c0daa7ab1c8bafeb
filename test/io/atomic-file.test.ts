import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeStaleTemporaries, writeFileAtomic } from '../../src/io/atomic-file.js';
import { loadModel } from '../../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/save-forever.ts', import.meta.url));

function temporaries(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.tmp'));
}

/** A pid no process has: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** Starts the saving child and sends it `signal` `delayMs` after its second "saving" (so one save is done). */
function killDuringSave(path: string, signal: NodeJS.Signals, delayMs: number, mode: 'model' | 'bytes' = 'model'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DIGITNET_ENGINE: 'ts' } });
    let seen = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      seen += text.split('saving').length - 1;
      if (seen >= 2 && !child.killed) setTimeout(() => child.kill(signal), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => resolve({ code, signal: exitSignal }));
  });
}

test('SIGTERM or SIGINT during a save ends the process by that signal, with the file whole and no temporary file left', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-kill-'));
  const runs = [['SIGTERM', 'model', 5], ['SIGINT', 'bytes', 0], ['SIGTERM', 'bytes', 3], ['SIGINT', 'bytes', 8]] as const;
  for (const [index, [signal, mode, delay]] of runs.entries()) {
    const path = join(folder, `file-${index}.safetensors`);
    const ended = await killDuringSave(path, signal, delay, mode);
    assert.equal(ended.signal, signal, `the child ends by ${signal}, as without the handler`);
    assert.deepEqual(temporaries(folder), [], `no temporary file after ${signal} at ${delay} ms (${mode})`);
    if (mode === 'model') assert.equal(loadModel(path).countParams(), 784 * 8192 + 8192 + 8192 * 10 + 10);
    else assert.equal(statSync(path).size, 64 * 2 ** 20);
  }
});

test('kill -9 during a save can leave a temporary file; the next save of the same model removes it', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-kill9-'));
  const path = join(folder, 'model.safetensors');
  // Whether the kill lands inside the write depends on timing: try a few delays.
  let left: string[] = [];
  for (const delay of [0, 5, 10, 2, 15, 1, 20, 8]) {
    await killDuringSave(path, 'SIGKILL', delay, 'bytes');
    left = temporaries(folder);
    if (left.length > 0) break;
  }
  assert.ok(left.length > 0, 'some kill -9 landed during a write and left its temporary file');
  assert.equal(statSync(path).size, 64 * 2 ** 20, 'the file itself is whole');
  writeFileAtomic(path, 'the next save');
  assert.deepEqual(temporaries(folder), []);
});

test('removeStaleTemporaries removes only the temporaries of this path whose process is gone', () => {
  const folder = mkdtempSync(join(tmpdir(), 'digitnet-stale-'));
  const path = join(folder, 'm.safetensors');
  const dead = deadPid();
  const stale = `.m.safetensors.${dead}.0a1b2c3d.tmp`;
  const live = `.m.safetensors.${process.ppid}.0a1b2c3d.tmp`;
  const other = `.other.safetensors.${dead}.0a1b2c3d.tmp`;
  for (const name of [stale, live, other]) writeFileSync(join(folder, name), 'x');
  assert.deepEqual(removeStaleTemporaries(path), [stale]);
  assert.deepEqual(temporaries(folder).sort(), [live, other].sort());
  writeFileAtomic(path, 'contents');
  assert.equal(statSync(path).size, 8);
});
