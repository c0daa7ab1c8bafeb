import { notebookKernel, type NotebookDisplay } from '../notebook/kernel.js';
import type { Callback, Logs, TrainingParams } from './callback.js';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 30;
// Redrawing the live bar more often than this costs more than it shows.
const REDRAW_INTERVAL_MS = 100;
// Each notebook redraw is a message to the browser; four a second reads as live.
const NOTEBOOK_REDRAW_INTERVAL_MS = 250;

/**
 * Keras's progress bar: with verbose 1 a live bar while an epoch runs (on a terminal), then
 * `469/469 [==============================] - 2s 5ms/step - loss: 0.0290 - accuracy: 0.9900 - val_loss: …`;
 * with verbose 2 only that line without the bar. In a tslab notebook (and when no stream is
 * given) verbose 1 draws each epoch as one output that updates in place, as Keras's bar does in
 * Jupyter; verbose 2 still prints one line per epoch.
 */
export class ProgressBar implements Callback {
  private params: TrainingParams = { epochs: 1, steps: 1, samples: 0, verbose: 1, metrics: ['loss'] };
  private epochStart = 0;
  private lastDraw = 0;
  private drewLive = false;
  private readonly stream: ProgressStream;
  private readonly notebook: boolean;
  private epochDisplay: NotebookDisplay | undefined;
  private epochHeader = '';

  constructor(stream?: ProgressStream) {
    this.notebook = stream === undefined && notebookKernel() !== undefined;
    this.stream = stream ?? process.stdout;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  onEpochBegin(epoch: number): void {
    this.startBar(`Epoch ${epoch + 1}/${this.params.epochs}`);
  }

  /**
   * As Keras's on_test_begin and on_predict_begin: evaluate and predict draw the same bar, without
   * an epoch header; onBatchEnd and onEpochEnd then draw and end it.
   */
  onTestBegin(): void {
    this.startBar('');
  }

  private startBar(header: string): void {
    this.epochHeader = header;
    if (this.notebook && this.params.verbose === 1) {
      this.epochDisplay = notebookKernel()?.newDisplay();
      if (header !== '') this.epochDisplay?.text(header);
    } else {
      this.epochDisplay = undefined;
      if (header !== '') this.stream.write(`${header}
`);
    }
    this.epochStart = performance.now();
    this.lastDraw = this.epochStart;
    this.drewLive = false;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (this.params.verbose !== 1 || !(this.stream.isTTY || this.epochDisplay)) return;
    const now = performance.now();
    if (now - this.lastDraw < (this.epochDisplay ? NOTEBOOK_REDRAW_INTERVAL_MS : REDRAW_INTERVAL_MS)) return;
    this.lastDraw = now;
    const done = batch + 1;
    const perStep = (now - this.epochStart) / 1000 / done;
    const eta = perStep * (this.params.steps - done);
    const line = `${this.counter(done)} ${bar(done, this.params.steps)} - ETA: ${formatDuration(eta)}${formatLogs(logs)}`;
    if (this.epochDisplay) {
      this.epochDisplay.text(this.withHeader(line));
      return;
    }
    this.stream.write(`\r${line}\x1b[K`);
    this.drewLive = true;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const seconds = (performance.now() - this.epochStart) / 1000;
    const steps = this.params.steps;
    const timing = `${Math.round(seconds)}s ${formatPerStep(seconds / steps)}`;
    const prefix = this.drewLive ? '\r' : '';
    if (this.params.verbose === 2) {
      this.stream.write(`${this.counter(steps)} - ${timing}${formatLogs(logs)}\n`);
    } else if (this.epochDisplay) {
      this.epochDisplay.text(this.withHeader(`${this.counter(steps)} ${bar(steps, steps)} - ${timing}${formatLogs(logs)}`));
    } else {
      const eraseRestOfLine = this.drewLive ? '\x1b[K' : '';
      this.stream.write(`${prefix}${this.counter(steps)} ${bar(steps, steps)} - ${timing}${formatLogs(logs)}${eraseRestOfLine}\n`);
    }
  }

  private withHeader(line: string): string {
    return this.epochHeader === '' ? line : `${this.epochHeader}\n${line}`;
  }

  private counter(done: number): string {
    const total = String(this.params.steps);
    return `${String(done).padStart(total.length)}/${total}`;
  }
}

function bar(done: number, total: number): string {
  const filled = Math.floor((BAR_WIDTH * done) / total);
  if (done >= total) return `[${'='.repeat(BAR_WIDTH)}]`;
  return `[${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(BAR_WIDTH - Math.max(filled, 1))}]`;
}

/** Keras writes 4 decimals, or scientific notation for values too small to show that way. */
export function formatMetric(value: number): string {
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(4) : value.toFixed(4);
}

function formatLogs(logs: Logs): string {
  let text = '';
  for (const [name, value] of Object.entries(logs)) text += ` - ${name}: ${formatMetric(value)}`;
  return text;
}

function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${Math.round(seconds)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}:${pad2(Math.floor((seconds % 3600) / 60))}:${pad2(Math.floor(seconds % 60))}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}:${pad2(Math.floor(seconds % 60))}`;
  return `${Math.round(seconds)}s`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
