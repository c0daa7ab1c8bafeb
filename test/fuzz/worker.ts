/**
 * The fuzz harness's child process: loads the format plugin given as argv[2], says "ready", then
 * for each line { "path" } on stdin loads that file and answers one JSON line (see LoadOutcome).
 * A crash or a hang here is seen by the parent as the end of this process or as silence.
 */
import { createInterface } from 'node:readline';
import { classifyError, importFormat, type LoadOutcome } from './harness.js';

const format = await importFormat(process.argv[2]!);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const { path } = JSON.parse(line) as { path: string };
  const started = performance.now();
  let answer: Omit<LoadOutcome, 'milliseconds' | 'peakRss'>;
  try {
    await format.load(path);
    answer = { outcome: 'accepted' };
  } catch (error) {
    answer = classifyError(error);
  }
  const outcome: LoadOutcome = { ...answer, milliseconds: performance.now() - started, peakRss: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
