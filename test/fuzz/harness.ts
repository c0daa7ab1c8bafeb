/**
 * A fuzzer for every file format digitnet reads: each format (a plugin in test/fuzz/formats/)
 * gives one valid file set and the loader; the harness mutates the first file in many ways and
 * loads each mutant in a child process with a time limit. Every load must end in a loaded value
 * or an Error of one sentence; a crash, a leaked internal message, or a hang counts as a failure.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Random } from '../../src/random/rng.js';

export interface FuzzFormat {
  name: string;
  /** One valid file set; the first file is the one mutated and passed to load, the others sit beside it unchanged. */
  files(): Promise<Array<{ name: string; bytes: Uint8Array }>>;
  /** Loads the file; throws an Error with one sentence when it refuses it. */
  load(path: string): Promise<unknown>;
  /**
   * Optional: the text inside the file that field edits should change (a header's JSON, its
   * nested JSON strings unfolded), and how to put an edited text back with the lengths around it
   * fixed, so that edits reach the checks behind the framing instead of only breaking the frame.
   */
  editable?(bytes: Uint8Array): { text: string; rebuild(text: string): Uint8Array } | undefined;
  /**
   * Optional: a mutation that knows the format's structure (a zip's entries removed or renamed,
   * an HDF5 dataset retyped, reshaped or declared huge), as the bytes of a whole new file.
   * Called after files(); deterministic for a given Random state.
   */
  structural?(bytes: Uint8Array, random: Random): Uint8Array;
}

export const FORMATS_FOLDER = fileURLToPath(new URL('./formats/', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** The plugin files in test/fuzz/formats/, sorted; `only` keeps those whose format name or file name is listed. */
export function formatFiles(only?: readonly string[]): string[] {
  return readdirSync(FORMATS_FOLDER)
    .filter((name) => name.endsWith('.ts'))
    .filter((name) => !only || only.length === 0 || only.includes(name.replace(/\.ts$/, '')))
    .sort()
    .map((name) => join(FORMATS_FOLDER, name));
}

export async function importFormat(file: string): Promise<FuzzFormat> {
  const module = (await import(pathToFileURL(file).href)) as { format?: FuzzFormat };
  if (!module.format || typeof module.format.load !== 'function' || typeof module.format.files !== 'function') {
    throw new Error(`${file} does not export "format", a FuzzFormat.`);
  }
  return module.format;
}

// ---- Mutations ------------------------------------------------------------------------------

export type MutationKind = 'bit flips' | 'truncation' | 'byte insert' | 'field edit' | 'huge length' | 'structure';

// Numbers that break naive size arithmetic: zero, negative, just past 32 bits, float extremes.
const HOSTILE_NUMBERS = ['0', '-1', '2700000', '65537', '4294967295', '4294967296', '9007199254740993', '1e308', '-1e308', '1.5', 'NaN', 'null', '[]', '{}', '""', 'true'];
const HOSTILE_STRINGS = ['"__proto__"', '"constructor"', '""', '"F64"', '"float64"', '"Lambda"', `"${'x'.repeat(300)}"`, '"\\u0000"', '"dense"', '"optimizer/dense/kernel/momentum"'];
const HUGE_VALUES = [0xffffffffn, 0x7fffffffn, 0x80000000n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 1n << 40n, 0n];

/** Positions of ASCII digit runs and double-quoted strings in the first 64 KiB (a JSON header, a CSV, an IDX-free text). */
function textFields(bytes: Uint8Array): { numbers: [number, number][]; strings: [number, number][] } {
  const numbers: [number, number][] = [];
  const strings: [number, number][] = [];
  const end = Math.min(bytes.length, 65536);
  for (let at = 0; at < end; at++) {
    const byte = bytes[at]!;
    if (byte >= 0x30 && byte <= 0x39) {
      let stop = at;
      while (stop < end && ((bytes[stop]! >= 0x30 && bytes[stop]! <= 0x39) || bytes[stop] === 0x2e)) stop++;
      numbers.push([at, stop]);
      at = stop;
    } else if (byte === 0x22) {
      let stop = at + 1;
      while (stop < end && bytes[stop] !== 0x22) stop++;
      if (stop < end) strings.push([at, stop + 1]);
      at = stop;
    }
  }
  return { numbers, strings };
}

function splice(bytes: Uint8Array, start: number, end: number, replacement: Uint8Array): Uint8Array {
  const result = new Uint8Array(bytes.length - (end - start) + replacement.length);
  result.set(bytes.subarray(0, start), 0);
  result.set(replacement, start);
  result.set(bytes.subarray(end), start + replacement.length);
  return result;
}

type Editable = NonNullable<ReturnType<NonNullable<FuzzFormat['editable']>>>;
type Structural = NonNullable<FuzzFormat['structural']>;

/** One mutant of `bytes` and what was done to it. Deterministic for a given Random state. */
export function mutate(bytes: Uint8Array, random: Random, editable?: Editable, structural?: Structural): { kind: MutationKind; bytes: Uint8Array } {
  // 'structure' is drawn only for formats that have it, so the others' sequences stay as they were.
  const kinds: MutationKind[] = ['bit flips', 'truncation', 'byte insert', 'field edit', 'huge length', ...(structural ? (['structure'] as const) : [])];
  const kind = kinds[random.nextInt(kinds.length)]!;
  // Most formats keep their structure in the first bytes: aim there half of the time.
  const position = (length: number): number => (random.nextFloat() < 0.5 ? random.nextInt(Math.max(1, Math.min(length, 256))) : random.nextInt(Math.max(1, length)));
  switch (kind) {
    case 'bit flips': {
      const copy = Uint8Array.from(bytes);
      const flips = 1 + random.nextInt(8);
      for (let index = 0; index < flips && copy.length > 0; index++) copy[position(copy.length)]! ^= 1 << random.nextInt(8);
      return { kind, bytes: copy };
    }
    case 'truncation':
      return { kind, bytes: bytes.slice(0, random.nextInt(Math.max(1, bytes.length))) };
    case 'byte insert': {
      const inserted = Uint8Array.from({ length: 1 + random.nextInt(16) }, () => random.nextInt(256));
      const at = position(bytes.length + 1);
      return { kind, bytes: splice(bytes, at, at, inserted) };
    }
    case 'field edit': {
      if (editable && random.nextFloat() < 0.8) {
        // Edit only numbers and strings of the format's own text, then let the format re-frame it.
        let edited = mutate(new TextEncoder().encode(editable.text), random);
        while (edited.kind !== 'field edit') edited = mutate(new TextEncoder().encode(editable.text), random);
        return { kind, bytes: editable.rebuild(new TextDecoder().decode(edited.bytes)) };
      }
      const { numbers, strings } = textFields(bytes);
      const useNumber = numbers.length > 0 && (strings.length === 0 || random.nextFloat() < 0.7);
      const fields = useNumber ? numbers : strings;
      if (fields.length === 0) return mutate(bytes, random, editable, structural);
      const [start, end] = fields[random.nextInt(fields.length)]!;
      const pool = useNumber ? HOSTILE_NUMBERS : HOSTILE_STRINGS;
      return { kind, bytes: splice(bytes, start, end, new TextEncoder().encode(pool[random.nextInt(pool.length)]!)) };
    }
    case 'huge length': {
      // A length or count field: 4 or 8 bytes, either byte order, at an aligned offset near the start.
      const copy = Uint8Array.from(bytes);
      const width = random.nextFloat() < 0.5 ? 4 : 8;
      if (copy.length < width) return { kind, bytes: copy };
      const slots = Math.max(1, Math.min(64, Math.floor(copy.length / width)));
      const at = random.nextInt(slots) * width;
      const value = HUGE_VALUES[random.nextInt(HUGE_VALUES.length)]! & (width === 4 ? 0xffffffffn : 0xffffffffffffffffn);
      const view = new DataView(copy.buffer);
      const littleEndian = random.nextFloat() < 0.5;
      if (width === 4) view.setUint32(at, Number(value), littleEndian);
      else view.setBigUint64(at, value, littleEndian);
      return { kind, bytes: copy };
    }
    case 'structure':
      return { kind, bytes: structural!(bytes, random) };
  }
}

// ---- Running --------------------------------------------------------------------------------

/** What one load gave, as the worker reports it. */
export interface LoadOutcome {
  outcome: 'accepted' | 'refused' | 'crashed';
  message?: string;
  milliseconds: number;
  /** The worker's resident memory after the load, in bytes (its peak so far). */
  peakRss: number;
}

export interface FuzzFailure {
  try: number;
  kind: MutationKind | 'hang' | 'worker died';
  message: string;
  /** The mutant, kept for reproducing. */
  file: string;
}

export interface FuzzSummary {
  format: string;
  tries: number;
  refused: number;
  accepted: number;
  /** Crashes, leaked internal messages, hangs and dead workers. */
  crashed: number;
  slowestMilliseconds: number;
  peakRssBytes: number;
  failures: FuzzFailure[];
  /** The refusals' messages, most frequent first (the first few, for the record). */
  commonRefusals: { message: string; count: number }[];
}

export interface FuzzOptions {
  tries: number;
  seed?: number;
  /** A load taking longer counts as a hang. */
  timeoutMilliseconds?: number;
  /** Where mutants that failed are kept; a fresh temporary folder by default. */
  keepFolder?: string;
}

/** A child process that loads files with one format's loader, one JSON line per request. */
class Worker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private exited = false;

  constructor(formatFile: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WORKER, formatFile], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, DIGITNET_DEBUG: '' } });
    this.child.stderr.resume();
    this.child.on('exit', () => (this.exited = true));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async ready(): Promise<void> {
    const first = await this.lines.next();
    if (first.done || first.value !== 'ready') throw new Error(`The fuzz worker did not start: ${String(first.value)}`);
  }

  /** The outcome, or 'hang' after the timeout (the worker is then killed), or 'died'. */
  async load(path: string, timeoutMilliseconds: number): Promise<LoadOutcome | 'hang' | 'died'> {
    if (this.exited) return 'died';
    this.child.stdin.write(`${JSON.stringify({ path })}\n`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), timeoutMilliseconds)));
    const answer = this.lines.next().then((line) => (line.done ? ('died' as const) : (JSON.parse(line.value) as LoadOutcome)));
    const result = await Promise.race([answer, timeout]);
    clearTimeout(timer);
    if (result === 'hang') this.stop();
    return result;
  }

  get alive(): boolean {
    return !this.exited;
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGKILL');
    this.child.stdin.destroy();
  }
}

/** Mutates `format`'s first file `tries` times and loads each mutant; never throws for a failed load. */
export async function fuzzFormat(formatFile: string, options: FuzzOptions): Promise<FuzzSummary> {
  const format = await importFormat(formatFile);
  const files = await format.files();
  if (files.length === 0) throw new Error(`Format ${format.name} gives no files.`);
  const folder = mkdtempSync(join(tmpdir(), `digitnet-fuzz-${format.name}-`));
  const keep = options.keepFolder ?? join(tmpdir(), 'digitnet-fuzz-failures');
  for (const file of files) writeFileSync(join(folder, file.name), file.bytes);
  const target = join(folder, files[0]!.name);
  const original = files[0]!.bytes;
  const editable = format.editable?.(original);
  const random = new Random(options.seed ?? 1);
  const timeoutMilliseconds = options.timeoutMilliseconds ?? 5000;
  const summary: FuzzSummary = { format: format.name, tries: 0, refused: 0, accepted: 0, crashed: 0, slowestMilliseconds: 0, peakRssBytes: 0, failures: [], commonRefusals: [] };
  const refusals = new Map<string, number>();
  let worker = new Worker(formatFile);
  await worker.ready();
  try {
    // The valid file first: a plugin whose own file is refused would make every figure meaningless.
    const baseline = await worker.load(target, timeoutMilliseconds * 4);
    if (typeof baseline !== 'object' || baseline.outcome !== 'accepted') {
      throw new Error(`Format ${format.name}: its valid file is not accepted (${typeof baseline === 'object' ? baseline.message : baseline}).`);
    }
    for (let attempt = 1; attempt <= options.tries; attempt++) {
      const mutant = mutate(original, random, editable, format.structural?.bind(format));
      writeFileSync(target, mutant.bytes);
      const result = await worker.load(target, timeoutMilliseconds);
      summary.tries++;
      if (typeof result === 'object') {
        summary.slowestMilliseconds = Math.max(summary.slowestMilliseconds, result.milliseconds);
        summary.peakRssBytes = Math.max(summary.peakRssBytes, result.peakRss);
        if (result.outcome === 'accepted') summary.accepted++;
        else if (result.outcome === 'refused') {
          summary.refused++;
          // Numbers vary between mutants; the sentence's shape is what repeats.
          const shape = result.message!.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '"…"');
          refusals.set(shape, (refusals.get(shape) ?? 0) + 1);
        }
      }
      if (typeof result !== 'object' || result.outcome === 'crashed') {
        summary.crashed++;
        mkdirSync(keep, { recursive: true });
        const file = join(keep, `${format.name}-${options.seed ?? 1}-${attempt}-${files[0]!.name}`);
        writeFileSync(file, mutant.bytes);
        summary.failures.push({
          try: attempt,
          kind: typeof result === 'object' ? mutant.kind : result === 'hang' ? 'hang' : 'worker died',
          message: typeof result === 'object' ? result.message ?? '' : result === 'hang' ? `no answer within ${timeoutMilliseconds} ms (${mutant.kind})` : `the worker process died (${mutant.kind})`,
          file,
        });
        if (typeof result !== 'object' || !worker.alive) {
          if (result === 'hang') summary.slowestMilliseconds = Math.max(summary.slowestMilliseconds, timeoutMilliseconds);
          worker.stop();
          worker = new Worker(formatFile);
          await worker.ready();
        }
      }
    }
  } finally {
    worker.stop();
    rmSync(folder, { recursive: true, force: true });
  }
  summary.commonRefusals = [...refusals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([message, count]) => ({ message, count }));
  return summary;
}

// Messages of JavaScript or the system rather than ours: seeing one means a check is missing.
const INTERNAL = /^(Invalid typed array length|Invalid array length|Array buffer allocation failed|Cannot read propert|Cannot set propert|Maximum call stack|Unexpected (token|end)|[A-Z]{2,}[A-Z_]*: |The value of "|Offset is outside|Out of memory|.* is not a function|.* is not iterable|Attempt to access memory outside)/;

/** Whether a thrown value is a refusal as digitnet should give one: an Error with one plain sentence. */
export function classifyError(error: unknown): { outcome: 'refused' | 'crashed'; message: string } {
  if (!(error instanceof Error)) return { outcome: 'crashed', message: `threw a non-Error: ${String(error)}` };
  const message = error.message;
  const oneSentence = !/[\r\n]/.test(message) && /[.!?)]$/.test(message.trim()) && message.trim().length > 0;
  const ours = error.constructor === Error || error.constructor === RangeError;
  if (!oneSentence || !ours || INTERNAL.test(message)) return { outcome: 'crashed', message: `${error.constructor.name}: ${message}` };
  return { outcome: 'refused', message };
}

/** The summaries as the table docs/reliability.md records. */
export function formatSummaries(summaries: readonly FuzzSummary[]): string {
  const rows = summaries.map((summary) => [
    summary.format,
    summary.tries.toLocaleString('en-US'),
    summary.refused.toLocaleString('en-US'),
    summary.accepted.toLocaleString('en-US'),
    summary.crashed.toLocaleString('en-US'),
    `${summary.slowestMilliseconds.toFixed(0)} ms`,
    `${(summary.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
  ]);
  const header = ['format', 'tries', 'refused', 'accepted', 'crashed', 'slowest', 'peak memory'];
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}
