import { writeRunReport, writeCompareReport } from '../../src/report/index.js';
import { fakeRunInput, fakeCompareRuns } from './fixtures.js';
const t0 = Date.now();
const r = await writeRunReport('test-output/report/run', fakeRunInput(300));
console.log(r.files.join('\n'), Date.now() - t0, 'ms');
const c = await writeCompareReport('test-output/report/compare', [
  { name: 'fit1 50-25', hiddenLayers: [50, 25], parameters: 40785, epochsRun: 5, seconds: 3.2, testLoss: 0.11, testAccuracy: 0.9671, reportedAccuracy: 0.9655, reportedLoss: 0.116, reportedSource: 'notebook 002' },
  { name: 'fit2 512-512', hiddenLayers: '512-d0.2-512-d0.2', parameters: 669706, epochsRun: 12, seconds: 88.1, testLoss: 0.068, testAccuracy: 0.9812, reportedAccuracy: 0.9805, reportedSource: 'notebook 002' },
  { name: 'fit3 128-64', hiddenLayers: [128, 64], error: 'Out of memory while allocating 3 GB\nsecond line' },
], fakeCompareRuns());
console.log(c.files.join('\n'));
