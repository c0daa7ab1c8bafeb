import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Every src file's relative imports (type imports included), as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(sourceRoot, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(sourceRoot, file), 'utf8');
    const imports = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((match) =>
      relative(sourceRoot, normalize(join(sourceRoot, dirname(file), match[1]!.replace(/\.js$/, '.ts')))),
    );
    graph.set(normalize(file), imports);
  }
  return graph;
}

test('src has no import cycle, and models, trainers and saving import each other one way only', () => {
  const graph = importGraph();
  assert.ok(graph.size > 50, `found only ${graph.size} source files`);
  const folderOf = (file: string) => file.split(/[/\\]/)[0]!;
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    for (const target of imports) {
      const to = folderOf(target);
      if (from === 'models') assert.notEqual(to, 'saving', `${file} imports ${target}: saving imports the model, not the reverse`);
      if (from === 'trainers') assert.ok(to !== 'models' && to !== 'saving', `${file} imports ${target}: the trainer works through TrainableModel`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    state.set(file, 'visiting');
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'visiting') assert.fail(`import cycle: ${[...path.slice(path.indexOf(target)), file, target].join(' -> ')}`);
      if (!state.has(target) && graph.has(target)) visit(target, [...path, file]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, []);
});
