#!/usr/bin/env node
// Bundles the studio's page (src/studio/page/main.ts, its CSS and uPlot) with esbuild into
// dist/studio/page/, which the package ships and the server serves: nothing is fetched from
// elsewhere at run time. Run by `npm run build` after tsc.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'studio', 'page');
const out = join(root, 'dist', 'studio', 'page');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(source, 'main.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
