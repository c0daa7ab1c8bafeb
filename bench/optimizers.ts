/**
 * Milliseconds per optimizer update on the weights of the 784-512-512-10 network (669,706
 * parameters), on the native engine and on the TypeScript reference:
 *   npx tsx bench/optimizers.ts [--steps 100]
 */
import { parseArgs } from 'node:util';
import { getEngine } from '../src/engine/select.js';
import { ReferenceEngine } from '../src/engine/reference.js';
import type { Engine } from '../src/engine/engine.js';
import type { Weight } from '../src/layers/layer.js';
import { createOptimizer, OPTIMIZER_NAMES } from '../src/optimizers/index.js';
import { Random } from '../src/random/rng.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '100' } } });
const steps = Number(values.steps);
const random = new Random(1);
const shapes = [[784, 512], [512], [512, 512], [512], [512, 10], [10]];
const weights: Weight[] = shapes.map((shape, index) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name: `w${index}`, shape, values: Float32Array.from({ length: size }, () => random.uniform(-0.05, 0.05)), gradient: Float32Array.from({ length: size }, () => random.uniform(-1e-3, 1e-3)) };
});

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(engine: Engine, name: string, config: Record<string, unknown>): number {
  const optimizer = createOptimizer(name, config);
  optimizer.build(weights);
  const samples: number[] = [];
  for (let step = 0; step < steps; step++) {
    const start = performance.now();
    optimizer.apply(engine, weights);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const native = getEngine();
const reference = new ReferenceEngine();
const variants: [string, Record<string, unknown>][] = [
  ...OPTIMIZER_NAMES.map((name): [string, Record<string, unknown>] => [name, {}]),
  ['adam', { amsgrad: true }],
  ['adam', { weightDecay: 0.004, clipnorm: 1 }],
];
console.log(`median ms per update, ${weights.reduce((n, w) => n + w.values.length, 0)} parameters, ${steps} updates (${native.name} engine vs TypeScript):`);
for (const [name, config] of variants) {
  const label = `${name}${Object.keys(config).length ? ` ${JSON.stringify(config)}` : ''}`;
  console.log(`${label.padEnd(44)} ${time(native, name, config).toFixed(3).padStart(8)} ${time(reference, name, config).toFixed(3).padStart(8)}`);
}
