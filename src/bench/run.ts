/**
 * `digitnet bench`: trains the seed notebooks' networks on MNIST with digitnet, then runs the
 * installed peers (PyTorch, TensorFlow.js wasm) on the same networks in the same run, and prints
 * seconds per epoch, steps per second, GFLOP/s against this machine's peak, peak RSS, SGEMM
 * GFLOP/s on the layer shapes, time to 98% test accuracy and inference time, with the ratios.
 *
 * Everything runs one thing at a time: on a 2-core machine two trainings side by side would each
 * measure half a machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dense, describeEngine, dropout, getEngine, loadMnist, sequential, setGlobalPolicy, tensor } from '../index.js';
import type { Sequential } from '../models/sequential.js';
import type { Engine } from '../engine/engine.js';
import type { Layer } from '../layers/index.js';
import {
  formatBytes,
  formatNumber,
  formatRatio,
  formatSeconds,
  formatMarkdownTable,
  formatTable,
  median,
  parseArchitecture,
  SEED_ARCHITECTURES,
  trainingFlopsPerSample,
  trainingGemmShapes,
  type Architecture,
  type GemmShape,
  type PeerModelRun,
} from './format.js';
import { describeMachine, type MachineInfo } from './machine.js';
import { benchmarkInt8, epochTimer, type Bf16Training, type Int8Inference } from './precision.js';
import { packageRoot, runPytorchPeer, runTfjsPeer, type PeerResult } from './peers.js';
import type { TimeToAccuracyReport } from './time-to-accuracy.js';

export interface BenchmarkOptions {
  /** A short run: a 12,800-image subset, 2 timed epochs, 20 TF.js steps, no time-to-accuracy. */
  quick?: boolean;
  /** Print one JSON object instead of tables (progress then goes to stderr). */
  json?: boolean;
  /** Print Markdown tables (for docs/benchmarks.md) instead of the plain-text report. */
  markdown?: boolean;
  /** Do not run PyTorch or TensorFlow.js. */
  skipPeers?: boolean;
  /** Where the tables or JSON go (process.stdout by default). */
  out?: NodeJS.WritableStream;
  /** Architectures to run instead of the three seeds, e.g. ['784-50-50-10']. */
  architectures?: readonly string[];
  /** Skip the bf16 twin of each model and the int8 prediction (fp32 only, as before). */
  fp32Only?: boolean;
}

export interface BenchmarkSettings {
  batchSize: number;
  trainCount: number;
  warmupEpochs: number;
  timedEpochs: number;
  tfjsSteps: number;
  inferenceRepeats: number;
  /** True when epoch times are scaled up from a subset of the 60,000 images. */
  extrapolated: boolean;
}

export interface ModelBenchmark {
  architecture: string;
  notebook: string | null;
  parameters: number;
  /** Seconds of each timed epoch as measured (on trainCount images). */
  epochSeconds: number[];
  /** Median epoch, scaled to the full 60,000 images when the run used a subset. */
  secondsPerEpoch: number;
  /** The fastest timed epoch, scaled likewise: less sensitive to other work on the machine. */
  bestSecondsPerEpoch: number;
  stepsPerSecond: number;
  /** Matrix-product FLOPs of one full epoch (see trainingFlopsPerSample). */
  gflopPerEpoch: number;
  gflops: number;
  percentOfPeak: number | null;
  /** model.predict on the 10,000 test images with Keras's default batch of 32. */
  predictSeconds: number;
  /** The same in one batch of 10,000, as the peers do it. */
  predictOneBatchSeconds: number;
  testAccuracy: number;
  /** The process's peak RSS after this model, in bytes (it only grows). */
  maxRssBytes: number;
  /** The same model in mixed_bfloat16, its epochs taken in turn with these (null with fp32Only). */
  bf16: Bf16Training | null;
  /** int8 prediction of the test set against fp32's, in turn (null with fp32Only). */
  int8: Int8Inference | null;
}

export interface PeerSummary {
  name: PeerResult['name'];
  label: string;
  shortLabel: string;
  available: boolean;
  error: string | null;
  installHint: string;
  command: string;
  warnings: string[];
  details: Record<string, unknown>;
  models: PeerModelRun[];
}

export interface Comparison {
  architecture: string;
  peer: PeerResult['name'];
  digitnetSecondsPerEpoch: number;
  peerSecondsPerEpoch: number;
  /** digitnet / peer: below 1 digitnet is faster. */
  trainingRatio: number;
  peerExtrapolated: boolean;
  digitnetPredictSeconds: number;
  peerPredictSeconds: number | null;
  predictRatio: number | null;
}

export interface GemmSection {
  available: boolean;
  note: string;
  results: { layout: string; m: number; k: number; n: number; gflops: number; microseconds: number; percentOfPeak: number | null }[];
}

export interface TimeToAccuracySection {
  available: boolean;
  note: string;
  target: number;
  /** From the child's process start to the end of the epoch that reached the target. */
  seconds: number | null;
  /** Measured by this process from spawning the child to its exit. */
  wallSeconds: number | null;
  epochs: number | null;
  accuracy: number | null;
  startupSeconds: number | null;
}

export interface BenchmarkResult {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  engine: string;
  settings: BenchmarkSettings;
  models: ModelBenchmark[];
  gemm: GemmSection;
  timeToAccuracy: TimeToAccuracySection;
  peers: PeerSummary[];
  comparisons: Comparison[];
  /** process.resourceUsage().maxRSS after digitnet's part, in bytes. */
  peakRssBytes: number;
  notes: string[];
}

const BATCH_SIZE = 128;
const FULL_TRAIN_COUNT = 60_000;
const TARGET_ACCURACY = 0.98;

function settingsFor(quick: boolean): BenchmarkSettings {
  return quick
    ? { batchSize: BATCH_SIZE, trainCount: 12_800, warmupEpochs: 1, timedEpochs: 2, tfjsSteps: 20, inferenceRepeats: 3, extrapolated: true }
    : { batchSize: BATCH_SIZE, trainCount: FULL_TRAIN_COUNT, warmupEpochs: 1, timedEpochs: 3, tfjsSteps: 50, inferenceRepeats: 5, extrapolated: false };
}

function layersFor(architecture: Architecture): Layer[] {
  const denseCount = architecture.layers.filter((layer) => layer.kind === 'dense').length;
  let seen = 0;
  return architecture.layers.map((layer) => {
    if (layer.kind === 'dropout') return dropout({ rate: layer.rate });
    seen++;
    return dense({
      units: layer.units,
      activation: seen === denseCount ? 'softmax' : 'relu',
      ...(seen === 1 ? { inputShape: [architecture.inputs] } : {}),
    });
  });
}

function maxRssBytes(): number {
  // resourceUsage reports kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}

function timeMedian(repeats: number, body: () => void): number {
  body(); // warm-up: first-call costs (workspace allocation, page faults) are not inference
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    body();
    samples.push((performance.now() - start) / 1000);
  }
  return median(samples);
}

async function benchmarkModel(
  architecture: Architecture,
  notebook: string | null,
  settings: BenchmarkSettings,
  machine: MachineInfo,
  progress: (line: string) => void,
  withReducedPrecision: boolean,
): Promise<ModelBenchmark> {
  const data = loadMnist();
  const width = architecture.inputs;
  const x = tensor(data.train.images.subarray(0, settings.trainCount * width), [settings.trainCount, width]);
  const labels = data.train.labels.subarray(0, settings.trainCount);
  const xTest = tensor(data.test.images, [data.test.count, width]);
  const compileSettings = { optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] } as const;
  const model = sequential(layersFor(architecture), { seed: 1 });
  model.compile({ ...compileSettings, metrics: [...compileSettings.metrics] });
  // The bf16 twin: the same layers and initial weights, built under mixed_bfloat16.
  let twin: Sequential | null = null;
  if (withReducedPrecision) {
    setGlobalPolicy('mixed_bfloat16');
    try {
      twin = sequential(layersFor(architecture), { seed: 1 });
    } finally {
      setGlobalPolicy('float32');
    }
    twin.compile({ ...compileSettings, metrics: [...compileSettings.metrics] });
  }

  // One epoch per fit call, fp32 and bf16 in turn (the order swapped every epoch), so that other
  // work on the machine slows both alike; each epoch is timed by onEpochBegin/onEpochEnd.
  const totalEpochs = settings.warmupEpochs + settings.timedEpochs;
  const epochSeconds: number[] = [];
  const bf16Seconds: number[] = [];
  for (let epoch = 0; epoch < totalEpochs; epoch++) {
    const warmup = epoch < settings.warmupEpochs;
    const runs: [string, Sequential, number[]][] = [['fp32', model, epochSeconds]];
    if (twin) runs.push(['bf16', twin, bf16Seconds]);
    if (epoch % 2 === 1) runs.reverse();
    for (const [label, target, into] of runs) {
      const measured: number[] = [];
      await target.fit(x, labels, {
        epochs: 1,
        batchSize: settings.batchSize,
        verbose: 0,
        seed: 1 + epoch,
        callbacks: [
          epochTimer(measured, (seconds, loss) =>
            progress(
              `digitnet ${architecture.text} ${label}: epoch ${epoch + 1}/${totalEpochs}${warmup ? ' (warm-up)' : ''} ${formatSeconds(seconds)} s, loss ${formatNumber(loss, 4)}`,
            ),
          ),
        ],
      });
      if (!warmup) into.push(measured[0]!);
    }
  }

  const stepsPerEpoch = Math.ceil(settings.trainCount / settings.batchSize);
  const measured = median(epochSeconds);
  const secondsPerEpoch = measured * (FULL_TRAIN_COUNT / settings.trainCount);
  const gflopPerEpoch = (trainingFlopsPerSample(architecture) * FULL_TRAIN_COUNT) / 1e9;
  const gflops = gflopPerEpoch / secondsPerEpoch;
  const predictSeconds = timeMedian(settings.inferenceRepeats, () => model.predict(xTest));
  const predictOneBatchSeconds = timeMedian(settings.inferenceRepeats, () => model.predict(xTest, { batchSize: data.test.count }));
  const testAccuracy = model.evaluate(xTest, data.test.labels, { batchSize: 1000 }).accuracy;
  const scale = FULL_TRAIN_COUNT / settings.trainCount;
  let bf16: Bf16Training | null = null;
  if (twin) {
    const bf16Median = median(bf16Seconds) * scale;
    bf16 = {
      epochSeconds: bf16Seconds,
      secondsPerEpoch: bf16Median,
      bestSecondsPerEpoch: Math.min(...bf16Seconds) * scale,
      gflops: gflopPerEpoch / bf16Median,
      percentOfPeak: machine.bf16PeakGflops ? (100 * gflopPerEpoch) / bf16Median / machine.bf16PeakGflops : null,
      speedup: secondsPerEpoch / bf16Median,
      testAccuracy: twin.evaluate(xTest, data.test.labels, { batchSize: 1000 }).accuracy,
      ranOn: getEngine().precisionSupport.bfloat16,
    };
  }
  const int8 = withReducedPrecision ? benchmarkInt8(model, xTest, data.test.labels, settings.inferenceRepeats, getEngine().precisionSupport.int8) : null;
  return {
    architecture: architecture.text,
    notebook,
    parameters: model.countParams(),
    epochSeconds,
    secondsPerEpoch,
    bestSecondsPerEpoch: Math.min(...epochSeconds) * (FULL_TRAIN_COUNT / settings.trainCount),
    stepsPerSecond: stepsPerEpoch / measured,
    gflopPerEpoch,
    gflops,
    percentOfPeak: machine.peakGflops ? (100 * gflops) / machine.peakGflops : null,
    predictSeconds,
    predictOneBatchSeconds,
    testAccuracy,
    maxRssBytes: maxRssBytes(),
    bf16,
    int8,
  };
}

/** bench/kernels.ts's exports that the harness uses, typed here so src/ builds without it. */
interface KernelsModule {
  benchmarkGemm(
    engine: Engine,
    shapes: readonly GemmShape[],
    budgetMs?: number,
  ): Promise<{ layout: string; m: number; k: number; n: number; gflops: number; microseconds: number }[]>;
}

/**
 * bench/kernels.ts sits outside src/, so the built package has only its TypeScript: it is
 * imported compiled when there is a .js, else through tsx (a dev dependency) when present.
 */
async function importKernels(): Promise<KernelsModule | string> {
  const folder = join(packageRoot(), 'bench');
  const compiled = join(folder, 'kernels.js');
  const source = join(folder, 'kernels.ts');
  const failures: string[] = [];
  const accept = (module: unknown): KernelsModule | null =>
    typeof module === 'object' && module !== null && typeof (module as Partial<KernelsModule>).benchmarkGemm === 'function'
      ? (module as KernelsModule)
      : null;
  if (existsSync(compiled)) {
    try {
      const module = accept(await import(pathToFileURL(compiled).href));
      if (module) return module;
      failures.push('bench/kernels.js has no benchmarkGemm');
    } catch (error) {
      failures.push(`bench/kernels.js: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!existsSync(source)) return failures.length > 0 ? failures.join('; ') : 'bench/kernels.ts is not present (it ships in the git checkout)';
  try {
    const module = accept(await import(pathToFileURL(source).href));
    if (module) return module;
  } catch {
    // Node without a TypeScript loader: try tsx's API below.
  }
  try {
    const tsxApi = 'tsx/esm/api';
    const { tsImport } = (await import(tsxApi)) as { tsImport: (specifier: string, parent: string) => Promise<unknown> };
    const module = accept(await tsImport(pathToFileURL(source).href, import.meta.url));
    if (module) return module;
    failures.push('bench/kernels.ts has no benchmarkGemm');
  } catch (error) {
    failures.push(`bench/kernels.ts could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  return failures.join('; ');
}

async function benchmarkGemmSection(engine: Engine, architectures: readonly Architecture[], machine: MachineInfo, quick: boolean): Promise<GemmSection> {
  const kernels = await importKernels();
  if (typeof kernels === 'string') return { available: false, note: `skipped: ${kernels}`, results: [] };
  const shapes = trainingGemmShapes(architectures, BATCH_SIZE);
  const results = await kernels.benchmarkGemm(engine, shapes, quick ? 100 : 300);
  return {
    available: true,
    note: `median of repeated calls per shape (bench/kernels.ts benchmarkGemm), ${describeEngine(engine)}`,
    results: results.map((result) => ({
      ...result,
      percentOfPeak: machine.peakGflops ? (100 * result.gflops) / machine.peakGflops : null,
    })),
  };
}

/** The time-to-accuracy worker next to this file, in the same form (.ts under tsx, .js built). */
function timeToAccuracyScript(): string {
  const here = fileURLToPath(import.meta.url);
  return join(here, '..', `time-to-accuracy${extname(here)}`);
}

function measureTimeToAccuracy(quick: boolean): TimeToAccuracySection {
  const empty = { target: TARGET_ACCURACY, seconds: null, wallSeconds: null, epochs: null, accuracy: null, startupSeconds: null };
  if (quick) return { ...empty, available: false, note: 'skipped in --quick' };
  const script = timeToAccuracyScript();
  if (!existsSync(script)) return { ...empty, available: false, note: `unavailable: ${script} is missing` };
  const start = performance.now();
  // A fresh process, so the figure includes Node's start, loading digitnet and reading MNIST.
  const child = spawnSync(process.execPath, [...process.execArgv, script, '--target', String(TARGET_ACCURACY), '--max-epochs', '20'], {
    encoding: 'utf8',
    timeout: 20 * 60 * 1000,
    maxBuffer: 4 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallSeconds = (performance.now() - start) / 1000;
  const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  let report: TimeToAccuracyReport | null = null;
  try {
    report = JSON.parse(line) as TimeToAccuracyReport;
  } catch {
    report = null;
  }
  if (child.status !== 0 || report === null || typeof report.seconds !== 'number') {
    const reason = child.error?.message ?? ((child.stderr ?? '').trim().split('\n').pop() || `exit ${child.status ?? child.signal}`);
    return { ...empty, available: false, note: `unavailable: the training child failed (${reason})` };
  }
  return {
    available: true,
    note: report.reached
      ? `784-512-d0.2-512-d0.2-10, batch 128, Adam, validation on the test set after each epoch, fresh process (${report.engine})`
      : `did not reach ${TARGET_ACCURACY * 100}% in ${report.epochs} epochs (best last: ${(report.accuracy * 100).toFixed(2)}%)`,
    target: TARGET_ACCURACY,
    seconds: report.reached ? report.seconds : null,
    wallSeconds,
    epochs: report.epochs,
    accuracy: report.accuracy,
    startupSeconds: report.startupSeconds,
  };
}

function summarizePeer(result: PeerResult): PeerSummary {
  return {
    name: result.name,
    label: result.label,
    shortLabel: result.shortLabel,
    available: result.run.available,
    error: result.run.available ? null : result.run.error,
    installHint: result.installHint,
    command: result.command,
    warnings: result.warnings,
    details: result.run.available ? result.run.details : {},
    models: result.run.available ? result.run.models : [],
  };
}

function compare(models: readonly ModelBenchmark[], peers: readonly PeerSummary[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const peer of peers) {
    for (const run of peer.models) {
      const ours = models.find((model) => model.architecture === run.architecture);
      if (!ours) continue;
      // Peers report the epoch on the images they trained; scale like digitnet's to 60,000.
      const peerSeconds = run.medianEpochSeconds * (FULL_TRAIN_COUNT / run.trainCount);
      comparisons.push({
        architecture: run.architecture,
        peer: peer.name,
        digitnetSecondsPerEpoch: ours.secondsPerEpoch,
        peerSecondsPerEpoch: peerSeconds,
        trainingRatio: ours.secondsPerEpoch / peerSeconds,
        peerExtrapolated: run.extrapolated === true || run.trainCount < FULL_TRAIN_COUNT,
        digitnetPredictSeconds: ours.predictOneBatchSeconds,
        peerPredictSeconds: run.inferenceSeconds,
        predictRatio: run.inferenceSeconds ? ours.predictOneBatchSeconds / run.inferenceSeconds : null,
      });
    }
  }
  return comparisons;
}

export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const out = options.out ?? process.stdout;
  const quick = options.quick === true;
  const json = options.json === true;
  // With --json the stream carries only the result; progress goes to stderr.
  const progressStream = json ? process.stderr : out;
  const progress = (line: string) => progressStream.write(`${line}\n`);

  const chosen = options.architectures ?? SEED_ARCHITECTURES.map((seed) => seed.architecture);
  const architectures = chosen.map(parseArchitecture);
  const settings = settingsFor(quick);
  const machine = describeMachine();
  const engine = getEngine();
  const engineDescription = describeEngine(engine);
  const notes: string[] = [];
  if (machine.loadAverage > 0.5) {
    notes.push(`The 1-minute load average was ${machine.loadAverage.toFixed(2)} at the start: other work on the machine slows every figure.`);
  }
  if (settings.extrapolated) {
    notes.push(`--quick: epochs are timed on the first ${settings.trainCount} images and scaled to 60,000.`);
  }
  if (engine.name === 'typescript') {
    notes.push('The TypeScript reference engine is in use (the native addon did not load): expect minutes per epoch.');
  }

  progress(`digitnet bench${quick ? ' --quick' : ''}: ${engineDescription}, ${machine.cpuModel}, ${machine.cores} cores`);
  const models: ModelBenchmark[] = [];
  for (const architecture of architectures) {
    const notebook = SEED_ARCHITECTURES.find((seed) => seed.architecture === architecture.text)?.notebook ?? null;
    models.push(await benchmarkModel(architecture, notebook, settings, machine, progress, options.fp32Only !== true));
  }
  const peakRssBytes = maxRssBytes();

  progress('SGEMM on the layer shapes…');
  let gemm: GemmSection;
  try {
    gemm = await benchmarkGemmSection(engine, architectures, machine, quick);
  } catch (error) {
    gemm = { available: false, note: `failed: ${error instanceof Error ? error.message : String(error)}`, results: [] };
  }

  if (!quick) progress(`Time to ${TARGET_ACCURACY * 100}% test accuracy (a fresh process)…`);
  const timeToAccuracy = measureTimeToAccuracy(quick);

  const peers: PeerSummary[] = [];
  if (options.skipPeers !== true) {
    const texts = architectures.map((architecture) => architecture.text);
    progress('PyTorch…');
    peers.push(
      summarizePeer(
        runPytorchPeer({
          architectures: texts,
          epochs: settings.timedEpochs,
          warmupEpochs: settings.warmupEpochs,
          trainCount: settings.trainCount,
          batchSize: settings.batchSize,
        }),
      ),
    );
    progress('TensorFlow.js (wasm)…');
    peers.push(
      summarizePeer(
        runTfjsPeer({
          architectures: texts,
          steps: settings.tfjsSteps,
          warmupSteps: quick ? 3 : 5,
          trainCount: FULL_TRAIN_COUNT,
          batchSize: settings.batchSize,
        }),
      ),
    );
  }

  const result: BenchmarkResult = {
    date: new Date().toISOString(),
    quick,
    machine,
    engine: engineDescription,
    settings,
    models,
    gemm,
    timeToAccuracy,
    peers,
    comparisons: compare(models, peers),
    peakRssBytes,
    notes,
  };
  const text = json ? JSON.stringify(result, null, 2) : options.markdown === true ? formatBenchmarkMarkdown(result) : `\n${formatBenchmark(result)}`;
  out.write(`${text}\n`);
  return result;
}

/** The human-readable report: machine, digitnet's table, peers and ratios, SGEMM, notes. */
export function formatBenchmark(result: BenchmarkResult): string {
  const { machine, settings } = result;
  const lines: string[] = [];
  const epochWord = settings.timedEpochs === 1 ? 'epoch' : 'epochs';
  lines.push(
    `digitnet benchmark${result.quick ? ' (--quick)' : ''} — one epoch of MNIST (60,000 images), batch ${settings.batchSize}, Adam, softmax + sparse categorical cross-entropy`,
  );
  lines.push(`date:    ${result.date}`);
  lines.push(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.clockGhz?.toFixed(2) ?? '?'} GHz from ${machine.clockSource}, ${machine.memoryGib.toFixed(0)} GiB, ${machine.platform}, Node ${machine.node}, load ${machine.loadAverage.toFixed(2)}`);
  lines.push(`peak:    ${machine.peakGflops?.toFixed(1) ?? '?'} GFLOP/s fp32 = ${machine.peakFormula}`);
  lines.push(`         ${machine.bf16PeakGflops?.toFixed(1) ?? '?'} GFLOP/s bf16 (${machine.bf16Native ? 'vdpbf16ps, twice fp32' : 'no bf16 instructions: emulated on the fp32 units, so fp32\'s peak'}); SIMD: ${machine.simdFeatures}`);
  lines.push(`engine:  ${result.engine}`);
  lines.push('');
  lines.push(
    `digitnet — median of ${settings.timedEpochs} ${epochWord} after ${settings.warmupEpochs} warm-up${settings.extrapolated ? `, timed on ${settings.trainCount} images and scaled to 60,000` : ''}; GFLOP counts matrix products only (forward, weight gradients, input gradients but the first layer's)`,
  );
  lines.push(formatTable(...modelsTable(result)));
  lines.push(`peak RSS: ${formatBytes(result.peakRssBytes)} (process.resourceUsage().maxRSS after training all models)`);
  if (result.models.some((model) => model.bf16 || model.int8)) {
    lines.push('');
    lines.push(`Reduced precision, each against fp32 in the same run: ${PRECISION_NOTE}`);
    lines.push(formatTable(...precisionTable(result)));
  }

  lines.push('');
  lines.push(`Time to ${result.timeToAccuracy.target * 100}% test accuracy from process start:`);
  if (result.timeToAccuracy.available && result.timeToAccuracy.seconds !== null) {
    const section = result.timeToAccuracy;
    lines.push(
      `  ${formatSeconds(section.seconds)} s (epoch ${section.epochs}, ${((section.accuracy ?? 0) * 100).toFixed(2)}%; startup ${formatSeconds(section.startupSeconds)} s) — ${section.note}`,
    );
  } else {
    lines.push(`  ${result.timeToAccuracy.note}`);
  }

  lines.push('');
  if (result.peers.length === 0) lines.push('Peers: not run (--skip-peers).');
  else lines.push('Peers — same models, batch 128, Adam, in separate processes; ratio = digitnet time / peer time (below 1: digitnet is faster)');
  const available = result.peers.filter((peer) => peer.available);
  for (const peer of result.peers) {
    if (peer.available) {
      lines.push(`  ${peer.label}: ${peer.command}`);
    } else {
      lines.push(`  ${peer.label}: not run — ${peer.error}`);
      if (!peer.error?.includes('npm i') && !peer.error?.includes('apt-get')) lines.push(`    install: ${peer.installHint}`);
    }
    for (const warning of peer.warnings) lines.push(`    warning: ${warning}`);
  }
  if (available.length > 0) {
    lines.push('training, seconds per epoch:');
    lines.push(formatTable(...peerTable(result, available, 'train')));
    lines.push("predicting the 10,000 test images in one batch, seconds (digitnet with batchSize 10000; Keras's default 32 is in the first table):");
    lines.push(formatTable(...peerTable(result, available, 'predict')));
    if (result.comparisons.some((comparison) => comparison.peerExtrapolated)) {
      const tfjs = available.find((peer) => peer.name === 'tfjs-wasm');
      const steps = tfjs?.models[0]?.timedSteps;
      lines.push(
        `  * extrapolated to a full epoch${steps ? ` (TF.js: ${steps} timed steps × 469 / ${steps})` : ''}${result.settings.extrapolated ? '; --quick subsets are scaled to 60,000 images' : ''}`,
      );
    }
  }

  lines.push('');
  lines.push('SGEMM on the layer shapes (m = batch 128; forward m×k·k×n, weight gradient k×m·m×n, input gradient m×n·n×k):');
  if (result.gemm.available) {
    lines.push(formatTable(...gemmTable(result)));
    lines.push(`  ${result.gemm.note}`);
  } else {
    lines.push(`  ${result.gemm.note}`);
  }

  if (result.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const note of result.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}

/** The tables of docs/benchmarks.md, generated from a run so the page is updated by pasting. */
export function formatBenchmarkMarkdown(result: BenchmarkResult): string {
  const { machine, settings } = result;
  const available = result.peers.filter((peer) => peer.available);
  const lines: string[] = [];
  lines.push(`Measured ${result.date.slice(0, 10)} with \`digitnet bench${result.quick ? ' --quick' : ''}\`, engine ${result.engine}.`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.clockGhz?.toFixed(2) ?? '?'} GHz (${machine.clockSource}), ` +
      `Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at the start. fp32 peak ${machine.peakGflops?.toFixed(0) ?? '?'} GFLOP/s = ${machine.peakFormula}.`,
  );
  lines.push('');
  lines.push(formatMarkdownTable(...modelsTable(result)));
  if (result.models.some((model) => model.bf16 || model.int8)) {
    lines.push('');
    lines.push(`bf16 peak ${machine.bf16PeakGflops?.toFixed(0) ?? '?'} GFLOP/s (${machine.bf16Native ? 'vdpbf16ps' : 'no bf16 instructions: emulated, fp32\'s peak'}). ${PRECISION_NOTE}`);
    lines.push('');
    lines.push(formatMarkdownTable(...precisionTable(result)));
  }
  lines.push('');
  lines.push(`Median of ${settings.timedEpochs} epochs after ${settings.warmupEpochs} warm-up${settings.extrapolated ? `, on ${settings.trainCount} images scaled to 60,000` : ''}. Peak RSS ${formatBytes(result.peakRssBytes)}.`);
  const time = result.timeToAccuracy;
  lines.push(
    time.available && time.seconds !== null
      ? `Time to ${time.target * 100}% test accuracy (784-512-d0.2-512-d0.2-10, fresh process): ${formatSeconds(time.seconds)} s, at epoch ${time.epochs} (${((time.accuracy ?? 0) * 100).toFixed(2)}%).`
      : `Time to ${time.target * 100}% test accuracy: ${time.note}.`,
  );
  if (available.length > 0) {
    lines.push('');
    lines.push(formatMarkdownTable(...peerTable(result, available, 'train')));
    lines.push('');
    lines.push(formatMarkdownTable(...peerTable(result, available, 'predict')));
    lines.push('');
    lines.push('Ratio = digitnet time / peer time: below 1, digitnet is faster. * extrapolated from a part of an epoch.');
  }
  if (result.gemm.available) {
    lines.push('');
    lines.push(formatMarkdownTable(...gemmTable(result)));
  }
  return lines.join('\n');
}

type Table = [header: string[], rows: string[][]];

const PRECISION_NOTE =
  'bf16 = the same model under mixed_bfloat16, its epochs alternating with fp32\'s (median of the timed epochs, % of the bf16 peak); ' +
  'int8 = predict of the 10,000 test images in one batch after model.quantize-style int8 copies, alternating with fp32 (median of the repeats).';

/** bf16 training and int8 prediction beside fp32, per model. */
function precisionTable(result: BenchmarkResult): Table {
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value.toFixed(1)}%`);
  const accuracy = (value: number | undefined) => (value === undefined ? '—' : `${(value * 100).toFixed(2)}%`);
  return [
    ['model', 'fp32 s/epoch', 'bf16 s/epoch', 'bf16 speed-up', 'fp32 % peak', 'bf16 % bf16 peak', 'fp32 acc', 'bf16 acc', 'predict fp32', 'predict int8', 'int8 speed-up', 'int8 acc', 'runs on'],
    result.models.map((model) => [
      model.architecture,
      formatSeconds(model.secondsPerEpoch),
      model.bf16 ? formatSeconds(model.bf16.secondsPerEpoch) : '—',
      model.bf16 ? `${model.bf16.speedup.toFixed(2)}×` : '—',
      percent(model.percentOfPeak),
      percent(model.bf16?.percentOfPeak),
      accuracy(model.testAccuracy),
      accuracy(model.bf16?.testAccuracy),
      model.int8 ? `${formatSeconds(model.int8.fp32Seconds)} s` : '—',
      model.int8 ? `${formatSeconds(model.int8.int8Seconds)} s` : '—',
      model.int8 ? `${model.int8.speedup.toFixed(2)}×` : '—',
      accuracy(model.int8?.int8TestAccuracy),
      [model.bf16 ? `bf16 ${model.bf16.ranOn}` : '', model.int8 ? `int8 ${model.int8.ranOn}` : ''].filter(Boolean).join(', ') || '—',
    ]),
  ];
}

/** digitnet's own figures per model, the same columns in the terminal and in Markdown. */
function modelsTable(result: BenchmarkResult): Table {
  return [
    ['model', 'nb', 'params', 's/epoch', 'best', 'steps/s', 'GFLOP/epoch', 'GFLOP/s', '% peak', 'predict 10k', 'predict 10k (1 batch)', 'test acc'],
    result.models.map((model) => [
      model.architecture,
      model.notebook ?? '—',
      model.parameters.toLocaleString('en-US'),
      formatSeconds(model.secondsPerEpoch),
      formatSeconds(model.bestSecondsPerEpoch),
      formatNumber(model.stepsPerSecond, 0),
      formatNumber(model.gflopPerEpoch, 1),
      formatNumber(model.gflops, 1),
      model.percentOfPeak === null ? '—' : `${model.percentOfPeak.toFixed(1)}%`,
      `${formatSeconds(model.predictSeconds)} s`,
      `${formatSeconds(model.predictOneBatchSeconds)} s`,
      `${(model.testAccuracy * 100).toFixed(2)}%`,
    ]),
  ];
}

/** digitnet against each available peer: seconds per training epoch (fp32, and bf16 rows), or to predict the test set in one batch. */
function peerTable(result: BenchmarkResult, available: readonly PeerSummary[], what: 'train' | 'predict'): Table {
  const header = what === 'train' ? 's/epoch' : 'predict 10k, s';
  const rows: string[][] = [];
  for (const model of result.models) {
    const variants: [string, number][] =
      what === 'train'
        ? [[model.bf16 ? `${model.architecture} fp32` : model.architecture, model.secondsPerEpoch], ...(model.bf16 ? ([[`${model.architecture} bf16`, model.bf16.secondsPerEpoch]] as [string, number][]) : [])]
        : [[model.int8 ? `${model.architecture} fp32` : model.architecture, model.predictOneBatchSeconds], ...(model.int8 ? ([[`${model.architecture} int8`, model.int8.int8Seconds]] as [string, number][]) : [])];
    for (const [label, ours] of variants) {
      rows.push([
        label,
        formatSeconds(ours),
        ...available.flatMap((peer) => {
          const comparison = result.comparisons.find((candidate) => candidate.peer === peer.name && candidate.architecture === model.architecture);
          if (what === 'predict') return [formatSeconds(comparison?.peerPredictSeconds), formatRatio(ours, comparison?.peerPredictSeconds)];
          return [comparison ? `${formatSeconds(comparison.peerSecondsPerEpoch)}${comparison.peerExtrapolated ? '*' : ''}` : '—', formatRatio(ours, comparison?.peerSecondsPerEpoch)];
        }),
      ]);
    }
  }
  return [['model', `digitnet ${header}`, ...available.flatMap((peer) => [`${peer.shortLabel} ${header}`, 'ratio'])], rows];
}

function gemmTable(result: BenchmarkResult): Table {
  return [
    ['layout', 'm', 'k', 'n', 'µs/call', 'GFLOP/s', '% peak'],
    result.gemm.results.map((row) => [
      row.layout,
      String(row.m),
      String(row.k),
      String(row.n),
      formatNumber(row.microseconds, 1),
      formatNumber(row.gflops, 1),
      row.percentOfPeak === null ? '—' : `${row.percentOfPeak.toFixed(1)}%`,
    ]),
  ];
}
