/**
 * How far the same seeded training lands apart across engines, SIMD levels and thread counts:
 * trains one model (784-128 relu-dropout 0.2-10 softmax, Adam, 3,000 MNIST images, 2 epochs,
 * seed 7) in a child process per setting and compares every weight with the first setting's.
 *   npx tsx bench/determinism.ts            (the README's "bit-identical" statement comes from this)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const { dense, dropout, loadMnist, sequential, takeFirst, tensor } = await import('../src/index.js');
  const { getEngine, describeEngine } = await import('../src/engine/select.js');
  const train = takeFirst(loadMnist().train, 3000);
  const model = sequential([dense({ units: 128, activation: 'relu', inputShape: [784] }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })], { seed: 7 });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(tensor(train.images, [train.count, 784]), train.labels, { epochs: 2, batchSize: 32, verbose: 0, seed: 7 });
  const weights = model.getWeights().flatMap((values) => [...values]);
  process.stdout.write(JSON.stringify({ engine: describeEngine(getEngine()), weights }));
} else {
  const settings: Record<string, string>[] = [
    { DIGITNET_THREADS: '2' },
    { DIGITNET_THREADS: '1' },
    { DIGITNET_SIMD: 'avx512', DIGITNET_THREADS: '2' },
    { DIGITNET_SIMD: 'avx2', DIGITNET_THREADS: '1' },
    { DIGITNET_SIMD: 'scalar', DIGITNET_THREADS: '2' },
    { DIGITNET_SIMD: 'scalar', DIGITNET_THREADS: '1' },
    { DIGITNET_ENGINE: 'ts' },
  ];
  let reference: number[] | undefined;
  console.log('| setting | engine | identical to the first | largest difference |\n|---|---|---|---|');
  for (const setting of settings) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--child'], { encoding: 'utf8', env: { ...process.env, DIGITNET_ENGINE: 'native', ...setting }, maxBuffer: 1 << 28 });
    const label = Object.entries(setting).map(([key, value]) => `${key}=${value}`).join(' ');
    if (child.status !== 0) {
      console.log(`| ${label} | not run: ${(child.stderr.trim().split('\n').at(-1) ?? '').replace(/\|/g, '/')} | | |`);
      continue;
    }
    const { engine, weights } = JSON.parse(child.stdout) as { engine: string; weights: number[] };
    reference ??= weights;
    let largest = 0;
    let identical = true;
    for (let index = 0; index < weights.length; index++) {
      if (!Object.is(weights[index], reference[index])) identical = false;
      largest = Math.max(largest, Math.abs(weights[index]! - reference[index]!));
    }
    console.log(`| ${label} | ${engine} | ${identical ? 'yes' : 'no'} | ${largest.toExponential(2)} |`);
  }
}
