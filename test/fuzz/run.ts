/**
 * `npm run fuzz`: mutates every format's file (test/fuzz/formats/) --tries times and prints tries,
 * refused, accepted, crashed, slowest and peak memory per format, then every failure. Exit code 1
 * when any load crashed, leaked an internal message or hung.
 *   tsx test/fuzz/run.ts [--tries 2000] [--seed 1] [--format safetensors,png] [--timeout 5000]
 */
import { parseArgs } from 'node:util';
import { formatFiles, formatSummaries, fuzzFormat, type FuzzSummary } from './harness.js';

const { values } = parseArgs({
  options: {
    tries: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    format: { type: 'string' },
    timeout: { type: 'string', default: '5000' },
  },
});
const tries = Number(values.tries);
const seed = Number(values.seed);
const timeoutMilliseconds = Number(values.timeout);
for (const [name, value] of [['--tries', tries], ['--seed', seed], ['--timeout', timeoutMilliseconds]] as const) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number; got ${value}.`);
}
const files = formatFiles(values.format?.split(',').map((name) => name.trim()));
if (files.length === 0) throw new Error(`No format matches --format ${values.format}.`);

const summaries: FuzzSummary[] = [];
const started = performance.now();
for (const file of files) {
  const summary = await fuzzFormat(file, { tries, seed, timeoutMilliseconds });
  summaries.push(summary);
  process.stderr.write(`${summary.format}: ${summary.tries} tries, ${summary.crashed} failed (${((performance.now() - started) / 1000).toFixed(0)} s so far)\n`);
}
console.log(formatSummaries(summaries));
console.log(`\nseed ${seed}, ${tries} tries per format, ${timeoutMilliseconds} ms per load at most; ${((performance.now() - started) / 1000).toFixed(0)} s in all.`);
for (const summary of summaries) {
  console.log(`\n${summary.format}: most frequent refusals`);
  for (const refusal of summary.commonRefusals) console.log(`  ${refusal.count} × ${refusal.message}`);
  for (const failure of summary.failures) console.log(`  FAILED try ${failure.try} (${failure.kind}): ${failure.message} — ${failure.file}`);
}
process.exitCode = summaries.some((summary) => summary.crashed > 0) ? 1 : 0;
