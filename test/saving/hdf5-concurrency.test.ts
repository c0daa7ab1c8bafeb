/**
 * Several processes saving and loading HDF5 files at once. h5wasm's file system is the real disk
 * (NODERAWFS), and its scratch files once had fixed names (/out0.h5, /in0.h5) shared by every
 * process: two saves at the same moment read each other's bytes. Each process here writes models
 * with its own weights and must read back exactly its own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'digitnet-hdf5-concurrency-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const SCRIPT = `
import { dense, loadModel, sequential } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
import { closeHdf5 } from ${JSON.stringify(join(root, 'src', 'saving', 'hdf5', 'hdf5.ts'))};
const [folder, id] = process.argv.slice(-2);
for (let round = 0; round < 15; round++) {
  const model = sequential([dense({ units: 64, activation: 'relu', inputShape: [32] }), dense({ units: 10, activation: 'softmax' })], { seed: Number(id) * 100 + round });
  for (const extension of ['h5', 'keras']) {
    const path = folder + '/p' + id + '-' + round + '.' + extension;
    model.save(path);
    const back = loadModel(path).getWeights();
    model.getWeights().forEach((weights, index) => {
      if (!weights.every((value, position) => value === back[index][position])) throw new Error(path + ' came back with other weights');
    });
  }
}
closeHdf5();
`;

function run(id: number): Promise<{ code: number | null; stderr: string; pid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, folder, String(id)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr, pid: child.pid! }));
  });
}

test('three processes saving .h5 and .keras files at once each read back their own weights', async () => {
  const results = await Promise.all([1, 2, 3].map(run));
  results.forEach((result, index) => assert.equal(result.code, 0, `process ${index + 1}: ${result.stderr}`));
  assert.equal(readdirSync(folder).length, 3 * 15 * 2);
  // Other test files may be mid-save: only these processes' scratch files must be gone.
  const left = readdirSync(tmpdir()).filter((name) => results.some((result) => name.startsWith(`digitnet-hdf5-${result.pid}-`)));
  assert.deepEqual(left, [], 'no scratch files left');
});
