/**
 * The studio's three figures for docs/studio.md:
 *  1. training speed in the studio (worker thread, streaming to a WebSocket client) against the
 *     same fit called as `digitnet train` calls it, same model, data, batches and seed, alternated;
 *  2. draw-to-probabilities latency in Chromium, 50 mouse strokes on the Draw page;
 *  3. the server's memory after each of 20 trainings in a row.
 * Run: npm run build && node --expose-gc --import tsx bench/studio.ts [--pairs 5]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadMnist, tensor } from '../src/index.js';
import { buildModel, compileModel } from '../src/studio/model-spec.js';
import type { StartRunRequest } from '../src/studio/schemas.js';
import { startStudio, type Studio } from '../src/studio/server.js';
import type { RunView } from '../src/studio/store.js';

/** What the Draw page exposes for timing (src/studio/page/draw-panel.ts). */
interface DrawWindow { digitnetDraw: { latencies: number[] } }

const pairs = Number(process.argv[process.argv.indexOf('--pairs') + 1]) || 5;
const median = (values: number[]): number => { const sorted = [...values].sort((a, b) => a - b); const middle = sorted.length >> 1; return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2; };
const data = loadMnist();

const speedRequest: StartRunRequest = {
  name: 'bench',
  model: { inputShape: [784], layers: [{ type: 'dense', units: 256, activation: 'relu' }, { type: 'dense', units: 128, activation: 'relu' }] },
  training: { optimizer: 'adam', learningRate: null, loss: 'sparseCategoricalCrossentropy', epochs: 2, batchSize: 128, validation: 'none', earlyStoppingPatience: null, restoreBest: false, limit: null, seed: 1 },
};

async function cliFit(): Promise<number> {
  const model = buildModel(speedRequest.model, 1);
  compileModel(model, speedRequest.training);
  const started = performance.now();
  await model.fit(tensor(data.train.images, [60000, 784]), data.train.labels, { epochs: 2, batchSize: 128, verbose: 0, seed: 1 });
  return (performance.now() - started) / 1000;
}

async function post(studio: Studio, path: string, body: unknown): Promise<RunView> {
  const response = await fetch(`http://127.0.0.1:${studio.port}${path}`, { method: 'POST', headers: { 'x-digitnet-token': studio.token, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(await response.text());
  return (await response.json()) as RunView;
}

function finished(studio: Studio, id: string): Promise<RunView> {
  return new Promise((resolve) => {
    const unsubscribe = studio.context.store.subscribe((event) => {
      if (event.type === 'run' && event.run.id === id && (event.run.status === 'finished' || event.run.status === 'failed')) { unsubscribe(); resolve(event.run); }
    });
  });
}

async function studioFit(studio: Studio): Promise<number> {
  const run = await post(studio, '/api/runs', speedRequest);
  const view = await finished(studio, run.id);
  studio.context.store.remove(run.id);
  return view.trainSeconds!;
}

async function speed(studio: Studio): Promise<void> {
  // A page watching, as in use: every update goes out over a WebSocket.
  const watcher = new WebSocket(`ws://127.0.0.1:${studio.port}/api/events?token=${studio.token}`);
  let messages = 0;
  watcher.on('message', () => messages++);
  await new Promise((resolve) => watcher.on('open', resolve));
  await cliFit();
  const cli: number[] = [];
  const inStudio: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) { cli.push(await cliFit()); inStudio.push(await studioFit(studio)); } else { inStudio.push(await studioFit(studio)); cli.push(await cliFit()); }
  }
  watcher.close();
  const ratios = cli.map((seconds, index) => inStudio[index]! / seconds);
  console.log(`speed: 784-256-128-10, adam, batch 128, 2 epochs of 60,000, ${pairs} alternated pairs`);
  console.log(`  CLI fit    s: ${cli.map((s) => s.toFixed(2)).join(' ')}  median ${median(cli).toFixed(2)}`);
  console.log(`  studio fit s: ${inStudio.map((s) => s.toFixed(2)).join(' ')}  median ${median(inStudio).toFixed(2)}`);
  console.log(`  studio/CLI per pair: ${ratios.map((r) => r.toFixed(3)).join(' ')}  median ${median(ratios).toFixed(3)}; ${messages} WebSocket messages`);
}

async function latency(studio: Studio): Promise<void> {
  const small: StartRunRequest = { ...speedRequest, model: { inputShape: [784], layers: [{ type: 'dense', units: 128, activation: 'relu' }] }, training: { ...speedRequest.training, epochs: 1, limit: 10000 } };
  const run = await post(studio, '/api/runs', small);
  await finished(studio, run.id);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${studio.url}#draw`);
    await page.waitForSelector('#draw-canvas');
    const box = (await page.locator('#draw-canvas').boundingBox())!;
    const perStroke: number[] = [];
    const all: number[] = [];
    for (let strokeIndex = 0; strokeIndex < 50; strokeIndex++) {
      await page.locator('#draw-clear').click();
      await page.evaluate(() => { (window as unknown as DrawWindow).digitnetDraw.latencies.length = 0; });
      const x = box.x + 90 + (strokeIndex % 10) * 10;
      await page.mouse.move(x, box.y + 40);
      await page.mouse.down();
      for (let step = 1; step <= 10; step++) await page.mouse.move(x + step * 3, box.y + 40 + step * 20);
      await page.mouse.up();
      await page.waitForFunction(() => (window as unknown as DrawWindow).digitnetDraw.latencies.length > 0);
      await page.waitForTimeout(30);
      const latencies = await page.evaluate(() => [...(window as unknown as DrawWindow).digitnetDraw.latencies]);
      all.push(...latencies);
      perStroke.push(median(latencies));
    }
    console.log(`latency: 50 strokes in Chromium, ${all.length} probability updates; median per stroke ${median(perStroke).toFixed(1)} ms (strokes' medians ${Math.min(...perStroke).toFixed(1)}–${Math.max(...perStroke).toFixed(1)} ms), median of all updates ${median(all).toFixed(1)} ms, 95th percentile ${[...all].sort((a, b) => a - b)[Math.floor(all.length * 0.95)]!.toFixed(1)} ms`);
  } finally {
    await browser.close();
  }
}

async function memory(studio: Studio): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const request: StartRunRequest = { ...speedRequest, model: { inputShape: [784], layers: [{ type: 'dense', units: 64, activation: 'relu' }] }, training: { ...speedRequest.training, epochs: 1, limit: 10000, validation: 'test' } };
  const rows: string[] = [];
  const sample = () => { gc?.(); gc?.(); const usage = process.memoryUsage(); return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 }; };
  const start = sample();
  rows.push(`  before: rss ${start.rss.toFixed(0)} MiB, heap ${start.heap.toFixed(1)} MiB`);
  for (let index = 1; index <= 20; index++) {
    const run = await post(studio, '/api/runs', { ...request, name: `memory-${index}` });
    await finished(studio, run.id);
    // The studio keeps every run until it is removed, as the page shows them; remove each to see what a training leaves behind.
    studio.context.store.remove(run.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = sample();
    if (index === 1 || index % 5 === 0) rows.push(`  after ${index}: rss ${now.rss.toFixed(0)} MiB, heap ${now.heap.toFixed(1)} MiB`);
  }
  console.log(`memory: 20 trainings in a row (784-64-10, 1 epoch of 10,000, validated on the test set)${gc ? '' : ' (run with --expose-gc for steadier figures)'}`);
  console.log(rows.join('\n'));
}

const studio = await startStudio({ workspace: mkdtempSync(join(tmpdir(), 'digitnet-studio-bench-')), port: 0, data });
try {
  const only = process.argv.find((argument) => ['speed', 'latency', 'memory'].includes(argument));
  if (!only || only === 'speed') await speed(studio);
  if (!only || only === 'latency') await latency(studio);
  if (!only || only === 'memory') await memory(studio);
} finally {
  await studio.close();
}
