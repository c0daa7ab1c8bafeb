#!/usr/bin/env node
// Makes `import … from 'digitnet'` resolve inside this repository the way it does in a user's
// project: node_modules/digitnet → the checkout. The examples' notebooks need it, because tslab
// resolves modules (and their types) the Node 10 way, which knows no package self-reference.
// Does nothing when digitnet is itself installed as a dependency.
import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!root.split(sep).includes('node_modules')) {
  const link = join(root, 'node_modules', 'digitnet');
  const present = (() => {
    try {
      lstatSync(link);
      return true;
    } catch {
      return false;
    }
  })();
  if (!present) {
    if (!existsSync(join(root, 'node_modules'))) mkdirSync(join(root, 'node_modules'));
    symlinkSync('..', link, 'dir');
  }
}
