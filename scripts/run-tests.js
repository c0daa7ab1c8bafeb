#!/usr/bin/env node
// Builds the library, ESM and CommonJS (the CLI tests run the built `digitnet`), type-checks the tests, examples and
// benchmarks with it (tsx runs them without checking types, and some tests are about the types),
// then runs every test/**/*.test.ts with Node's own test runner. Extra arguments are passed
// through (e.g. a single file), and then the type check is left out.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(directory) {
  const found = [];
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const requested = process.argv.slice(2);
if (requested.length === 0) {
  // npm run, not npx tsc: tslab's bundled TypeScript 5.0 also installs a `tsc` bin, which may win the link.
  const typecheck = spawnSync('npm', ['run', '--silent', 'typecheck'], { stdio: 'inherit' });
  if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);
  // (typecheck also checks the studio's page, which is browser code, with the DOM's types.)
}
const files = requested.length > 0 ? requested : findTests('test');
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
