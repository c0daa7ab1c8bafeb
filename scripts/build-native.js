#!/usr/bin/env node
// Compiles the native engine (build/Release/digitnet.node) with node-gyp during `npm ci`.
// It never fails the install: without a compiler digitnet still works on its TypeScript engine,
// so a failed build prints one line saying so (the full log goes to build/native-build.log).
// DIGITNET_SKIP_NATIVE=1 skips the build; DIGITNET_NATIVE_VERBOSE=1 shows the compiler output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addonPath = join(root, 'build', 'Release', 'digitnet.node');
const logPath = join(root, 'build', 'native-build.log');
const verbose = process.env.DIGITNET_NATIVE_VERBOSE === '1';

function fallBack(reason) {
  console.log(`digitnet: the native engine was not built (${reason}); digitnet will use the TypeScript engine.`);
  process.exit(0);
}

if (process.env.DIGITNET_SKIP_NATIVE === '1') fallBack('DIGITNET_SKIP_NATIVE=1');

const require = createRequire(import.meta.url);
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  fallBack('node-gyp is not installed');
}

const args = [nodeGyp, 'rebuild', '--release', '--jobs=max'];
// Node's own headers, when installed next to the binary, spare node-gyp a download (and work offline).
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) {
  args.push(`--nodedir=${prefix}`);
}

const started = Date.now();
const result = spawnSync(process.execPath, args, {
  cwd: root,
  encoding: 'utf8',
  stdio: verbose ? 'inherit' : 'pipe',
  timeout: 5 * 60 * 1000,
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
try {
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, `$ node ${args.join(' ')}\n${output}`);
} catch {
  // The log is a convenience; failing to write it must not fail the install.
}

if (result.error || result.status !== 0 || !existsSync(addonPath)) {
  const reason = result.error ? result.error.message : `node-gyp exited with status ${result.status}; see build/native-build.log`;
  fallBack(reason);
}

// A build that links but cannot load (wrong ABI, missing symbol) is no better than none.
try {
  const addon = require(addonPath);
  const simd = addon.configure(1, 'auto');
  console.log(`digitnet: native engine built in ${((Date.now() - started) / 1000).toFixed(1)} s (${simd}).`);
} catch (error) {
  fallBack(`the built addon does not load: ${error instanceof Error ? error.message : String(error)}`);
}
