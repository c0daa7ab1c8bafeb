import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function info(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(root, 'bin', 'digitnet.js'), 'info'], { cwd: root, encoding: 'utf8', env: { ...process.env, DIGITNET_DEBUG: '', ...env } });
}

test('an invalid DIGITNET_ENGINE, DIGITNET_THREADS or DIGITNET_SIMD is an error by the same rule, whatever the engine', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ DIGITNET_ENGINE: 'gpu' }, /DIGITNET_ENGINE=gpu is not an engine/],
    [{ DIGITNET_THREADS: 'many' }, /DIGITNET_THREADS=many is invalid/],
    [{ DIGITNET_SIMD: 'avx9000' }, /DIGITNET_SIMD=avx9000 is invalid: use one of auto, avx512, avx2, scalar/],
    [{ DIGITNET_SIMD: 'avx9000', DIGITNET_ENGINE: 'ts' }, /DIGITNET_SIMD=avx9000 is invalid/],
    [{ DIGITNET_THREADS: '0', DIGITNET_ENGINE: 'ts' }, /DIGITNET_THREADS=0 is invalid/],
  ];
  for (const [env, message] of cases) {
    const run = info(env);
    assert.equal(run.status, 1, `${JSON.stringify(env)}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /using the TypeScript engine/, 'no warning and fallback');
  }
  assert.equal(info({ DIGITNET_SIMD: 'scalar', DIGITNET_THREADS: '1' }).status, 0);
});
