import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadComparisonFile, runComparison, type ComparisonProgress } from '../../src/experiments/compare.js';
import type { CompareRow } from '../../src/report/types.js';

const folder = mkdtempSync(join(tmpdir(), 'digitnet-compare-'));

function writtenRows(out: string): CompareRow[] {
  return (JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { rows: CompareRow[] }).rows;
}

test('a failing run gets an error row, the next still runs, and the report is rewritten after each run', async () => {
  const file = join(folder, 'runs.json');
  writeFileSync(
    file,
    JSON.stringify({
      runs: [
        { preset: 'baseline-32', epochs: 2 },
        { name: 'odd', hidden: [{ units: 8 }], optimizer: 'adamw', loss: 'categoricalCrossentropy', epochs: 1 },
        { name: 'small', hidden: [{ units: 20 }], optimizer: 'adam', loss: 'categoricalCrossentropy', epochs: 1, batchSize: 64, validation: 'test' },
      ],
    }),
  );
  const configs = loadComparisonFile(file, { lenient: true });
  const out = join(folder, 'report');
  const events: ComparisonProgress[] = [];
  const rowsOnDiskAtStart: number[] = [];
  const result = await runComparison(configs, {
    out,
    limit: 1000,
    seed: 5,
    onProgress: (event) => {
      events.push(event);
      if (event.kind === 'start' || event.kind === 'failed') rowsOnDiskAtStart.push(existsSync(join(out, 'compare.json')) ? writtenRows(out).length : 0);
    },
  });

  assert.equal(result.aborted, false);
  assert.deepEqual(result.rows.map((row) => row.name), ['baseline-32', 'odd', 'small']);
  assert.match(result.rows[1]!.error!, /run 2 \("odd"\): optimizer must be one of "adam", "rmsprop", "sgd"; got "adamw"\./);
  assert.equal(result.rows[0]!.epochsRun, 2);
  // Two epochs on 1000 images is not the notebook's run: its figure is left out.
  assert.equal(result.rows[0]!.reportedAccuracy, undefined);
  assert.equal(result.rows[0]!.reportedSource, undefined);
  assert.equal(result.rows[2]!.parameters, 784 * 20 + 20 + 20 * 10 + 10);
  assert.ok(result.rows[2]!.testAccuracy! > 0.3);
  assert.equal(result.rows[2]!.reportedAccuracy, undefined);
  assert.deepEqual(result.runs.map((run) => run.name), ['baseline-32', 'small']);

  // Before each run starts, the rows of every earlier run are already on disk.
  assert.deepEqual(rowsOnDiskAtStart, [0, 1, 2]);
  assert.deepEqual(writtenRows(out).map((row) => row.name), ['baseline-32', 'odd', 'small']);
  for (const name of ['compare.html', 'compare.csv', 'compare-curves.png', 'compare-curves.svg']) assert.ok(existsSync(join(out, name)), name);
  assert.match(readFileSync(join(out, 'compare.html'), 'utf8'), /adamw/);

  const messages = events.map((event) => event.message);
  assert.ok(messages.includes('run 1/3 baseline-32 · starting'), messages.join('\n'));
  assert.ok(messages.some((message) => /^run 1\/3 baseline-32 · epoch 2\/2 · acc \d+\.\d\d% · ETA /.test(message)), messages.join('\n'));
  assert.ok(messages.some((message) => /^run 2\/3 odd · failed: /.test(message)));
  assert.ok(messages.some((message) => /^run 3\/3 small · done in .* · accuracy \d+\.\d\d%/.test(message)));
});

test('aborting keeps the finished rows and leaves out the interrupted run', async () => {
  const controller = new AbortController();
  const out = join(folder, 'aborted');
  const result = await runComparison([{ preset: 'baseline-32', epochs: 1 }, { preset: 'mlp-50-25-rmsprop', epochs: 3 }, 'baseline-256'], {
    out,
    limit: 500,
    seed: 1,
    signal: controller.signal,
    onProgress: (event) => {
      if (event.kind === 'epoch' && event.run === 2) controller.abort();
    },
  });
  assert.equal(result.aborted, true);
  assert.deepEqual(result.rows.map((row) => row.name), ['baseline-32']);
  assert.deepEqual(writtenRows(out).map((row) => row.name), ['baseline-32']);
});

test('runComparison needs configurations, and repeated names are told apart', async () => {
  await assert.rejects(runComparison([]), /needs at least one configuration/);
  await assert.rejects(runComparison(['baseline-32'], { seeds: [1, 1] }), /seed 1 is given twice/);
  await assert.rejects(runComparison(['baseline-32'], { seeds: [] }), /seeds must be a non-empty array/);
  await assert.rejects(runComparison(['baseline-32'], { seeds: [1.5] }), /seed 1\.5 is invalid/);
  const result = await runComparison([{ preset: 'baseline-32', epochs: 1 }, { preset: 'baseline-32', epochs: 1 }], { limit: 300, onProgress: () => {} });
  assert.deepEqual(result.rows.map((row) => row.name), ['baseline-32', 'baseline-32 (2)']);
  assert.equal(result.report, undefined);
});

test('with several seeds each configuration trains once per seed and gets one row of means', async () => {
  const events: ComparisonProgress[] = [];
  const result = await runComparison([{ preset: 'baseline-32', epochs: 1, seed: 99 }, { name: 'tiny', hidden: [{ units: 8 }], optimizer: 'adam', loss: 'categoricalCrossentropy', epochs: 1 }], {
    limit: 600,
    seeds: [3, 4],
    onProgress: (event) => events.push(event),
  });
  assert.deepEqual(result.rows.map((row) => row.name), ['baseline-32', 'tiny']);
  for (const row of result.rows) {
    assert.deepEqual(row.seeds, [3, 4]);
    assert.equal(row.seedAccuracies!.length, 2);
    assert.ok(Math.abs(row.testAccuracy! - (row.seedAccuracies![0]! + row.seedAccuracies![1]!) / 2) < 1e-12);
    assert.equal(row.epochsRun, 1);
  }
  // Different seeds train different models; one curve per configuration, the first seed's.
  assert.notEqual(result.rows[0]!.seedAccuracies![0], result.rows[0]!.seedAccuracies![1]);
  assert.deepEqual(result.runs.map((run) => run.name), ['baseline-32', 'tiny']);
  // A seed of --seeds overrides the configuration's own: the run with seed 4 is the one a single run with seed 4 gives.
  const single = await runComparison([{ preset: 'baseline-32', epochs: 1, seed: 4 }], { limit: 600, onProgress: () => {} });
  assert.equal(single.rows[0]!.testAccuracy, result.rows[0]!.seedAccuracies![1]);

  const messages = events.map((event) => event.message);
  assert.ok(messages.includes('run 1/2 baseline-32 · seed 3 (1/2) · starting'), messages.join('\n'));
  assert.ok(messages.some((message) => message.startsWith('run 2/2 tiny · seed 4 (2/2) · epoch 1/1')), messages.join('\n'));
  assert.ok(messages.some((message) => /^run 1\/2 baseline-32 · done, 2 seeds of .* each · mean accuracy \d+\.\d\d% \(\d+\.\d\d–\d+\.\d\d%\)/.test(message)), messages.join('\n'));
});

test('the ETA of a long early-stopped run never drops to 0 while it trains: past the guess it counts its patience', async () => {
  const { plannedWork, epochsStillAhead } = await import('../../src/experiments/compare.js');
  const { resolveExperiment } = await import('../../src/experiments/configs.js');
  const experiment = resolveExperiment({ name: 'long', hidden: [{ units: 32 }], optimizer: 'adam', loss: 'categoricalCrossentropy', epochs: 200, validation: 'test', earlyStoppingPatience: 3 });
  const work = plannedWork(experiment, {});
  assert.equal(work.epochs, 15);
  assert.equal(epochsStillAhead(work, 10), 5);
  // At epoch 15 and beyond the guess is spent; a run still training has at least its patience left.
  assert.equal(epochsStillAhead(work, 15), 3);
  assert.equal(epochsStillAhead(work, 80), 3);
  assert.equal(epochsStillAhead(work, 199), 1);
  assert.equal(epochsStillAhead(work, 200), 0);
  const fixed = plannedWork(resolveExperiment({ name: 'fixed', hidden: [], optimizer: 'sgd', loss: 'mse', epochs: 6 }), {});
  assert.equal(epochsStillAhead(fixed, 6), 0);
});
