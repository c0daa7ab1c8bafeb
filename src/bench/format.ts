/**
 * The pure parts of the benchmark: architecture strings, FLOP counts, statistics, reading the
 * peers' JSON and laying out the table. Nothing here times or spawns anything, so it is tested
 * directly.
 */
import { z } from 'zod';

/** One layer of an architecture string such as 784-512-d0.2-512-d0.2-10. */
export type ArchitectureLayer = { kind: 'dense'; units: number } | { kind: 'dropout'; rate: number };

export interface Architecture {
  readonly text: string;
  readonly inputs: number;
  readonly layers: readonly ArchitectureLayer[];
}

/** The seed notebooks' networks, largest first, with where each comes from. */
export const SEED_ARCHITECTURES: readonly { architecture: string; notebook: string }[] = [
  { architecture: '784-512-d0.2-512-d0.2-10', notebook: '002' },
  { architecture: '784-256-d0.2-128-10', notebook: '001' },
  { architecture: '784-50-50-10', notebook: '000' },
];

/**
 * Widths joined by '-', the input first and the classes last; 'dR' is a dropout of rate R after
 * the preceding hidden layer.
 */
export function parseArchitecture(text: string): Architecture {
  const parts = text.split('-');
  const invalid = `Architecture "${text}" is invalid: write widths joined by "-", input first and classes last, with dR for a dropout of rate R (e.g. 784-512-d0.2-10).`;
  if (parts.length < 2 || !/^[1-9]\d*$/.test(parts[0]!)) throw new Error(invalid);
  const layers: ArchitectureLayer[] = [];
  for (const part of parts.slice(1)) {
    if (/^[1-9]\d*$/.test(part)) {
      layers.push({ kind: 'dense', units: Number(part) });
    } else if (/^d(0|0?\.\d+)$/.test(part) && layers.length > 0 && layers[layers.length - 1]!.kind === 'dense') {
      layers.push({ kind: 'dropout', rate: Number(part.slice(1)) });
    } else {
      throw new Error(invalid);
    }
  }
  if (layers[layers.length - 1]!.kind !== 'dense') throw new Error(invalid);
  return { text, inputs: Number(parts[0]), layers };
}

/** [inputs, outputs] of each dense layer, in order. */
export function denseShapes(architecture: Architecture): [number, number][] {
  const shapes: [number, number][] = [];
  let width = architecture.inputs;
  for (const layer of architecture.layers) {
    if (layer.kind !== 'dense') continue;
    shapes.push([width, layer.units]);
    width = layer.units;
  }
  return shapes;
}

export function countParameters(architecture: Architecture): number {
  return denseShapes(architecture).reduce((sum, [inputs, outputs]) => sum + inputs * outputs + outputs, 0);
}

/**
 * Matrix-product FLOPs of training on one sample: the forward product (2·k·n per layer), the
 * weight gradient of every layer and the input gradient of every layer but the first (nothing
 * needs the gradient with respect to the images). Element-wise work (bias, activations, Adam) is
 * left out, as is usual for GFLOP/s figures. Multiply by the sample count for an epoch.
 */
export function trainingFlopsPerSample(architecture: Architecture): number {
  return denseShapes(architecture).reduce(
    (sum, [inputs, outputs], index) => sum + 2 * inputs * outputs * (index === 0 ? 2 : 3),
    0,
  );
}

/** Forward-only FLOPs per sample, for inference. */
export function inferenceFlopsPerSample(architecture: Architecture): number {
  return denseShapes(architecture).reduce((sum, [inputs, outputs]) => sum + 2 * inputs * outputs, 0);
}

/**
 * A product one training step performs, in bench/kernels.ts's convention: m is the batch, k and n
 * the layer's inputs and outputs; 'forward' is batch×k · k×n, 'weightGradient' k×batch · batch×n
 * and 'inputGradient' batch×n · n×k.
 */
export interface GemmShape {
  layout: 'forward' | 'inputGradient' | 'weightGradient';
  m: number;
  k: number;
  n: number;
}

/**
 * Every product of a training step of `batch` rows over all the given architectures, each shape
 * once: each layer's forward and weight gradient, and the input gradient of all but the first.
 */
export function trainingGemmShapes(architectures: readonly Architecture[], batch: number): GemmShape[] {
  const shapes: GemmShape[] = [];
  const seen = new Set<string>();
  const add = (shape: GemmShape) => {
    const key = `${shape.layout} ${shape.m}x${shape.k}x${shape.n}`;
    if (seen.has(key)) return;
    seen.add(key);
    shapes.push(shape);
  };
  for (const architecture of architectures) {
    denseShapes(architecture).forEach(([k, n], index) => {
      add({ layout: 'forward', m: batch, k, n });
      if (index > 0) add({ layout: 'inputGradient', m: batch, k, n });
      add({ layout: 'weightGradient', m: batch, k, n });
    });
  }
  return shapes;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('The median of no values is undefined: pass at least one value.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** What each peer script prints for one model. */
const peerModelSchema = z.object({
  architecture: z.string(),
  parameters: z.number(),
  trainCount: z.number(),
  stepsPerEpoch: z.number(),
  timedSteps: z.number().optional(),
  extrapolated: z.boolean().optional(),
  epochSeconds: z.array(z.number()),
  medianEpochSeconds: z.number(),
  inferenceSeconds: z.number().nullable(),
  testAccuracy: z.number(),
});

const peerRunSchema = z.union([
  z.object({ available: z.literal(false), error: z.string() }),
  z
    .object({
      available: z.literal(true),
      peer: z.string(),
      version: z.string(),
      models: z.array(peerModelSchema),
    })
    .catchall(z.unknown()),
]);

export type PeerModelRun = z.infer<typeof peerModelSchema>;
export type PeerRun =
  | { available: false; error: string }
  | { available: true; peer: string; version: string; models: PeerModelRun[]; details: Record<string, unknown> };

/**
 * Reads a peer script's output: the last line that parses as JSON (libraries may print warnings
 * before it). Anything unreadable becomes an unavailable run that says what was printed.
 */
export function parsePeerOutput(stdout: string): PeerRun {
  const lines = stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      continue;
    }
    const parsed = peerRunSchema.safeParse(value);
    if (!parsed.success) return { available: false, error: `unexpected output: ${lines[i]!.slice(0, 200)}` };
    if (!parsed.data.available) return { available: false, error: parsed.data.error };
    const { available: _available, peer, version, models, ...details } = parsed.data;
    return { available: true, peer, version, models, details };
  }
  const shown = stdout.trim().slice(-300);
  return { available: false, error: shown === '' ? 'it printed nothing' : `it printed no JSON result: ${shown}` };
}

/** Lays rows out under a header: the first column left-aligned, the others (figures) right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The same rows as a Markdown table, for docs/benchmarks.md. */
export function formatMarkdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Fixed significant-looking precision for a duration: 61.2, 2.87, 0.443, 0.0123. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds >= 100) return seconds.toFixed(0);
  if (seconds >= 10) return seconds.toFixed(1);
  if (seconds >= 1) return seconds.toFixed(2);
  if (seconds >= 0.1) return seconds.toFixed(3);
  return seconds.toFixed(4);
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** digitnet's time over a peer's: below 1 digitnet is faster. */
export function formatRatio(ours: number | null | undefined, theirs: number | null | undefined): string {
  if (ours === null || ours === undefined || theirs === null || theirs === undefined || !(theirs > 0) || !Number.isFinite(ours)) return '—';
  const ratio = ours / theirs;
  return ratio >= 10 ? `${ratio.toFixed(0)}×` : ratio >= 1 ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(3)}×`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}
