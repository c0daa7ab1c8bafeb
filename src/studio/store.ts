/**
 * The studio's state: every run (trained here) and loaded model, with its curves and evaluation.
 * The server owns it and the page only shows it, so a reload or a second tab sees the same runs
 * and a training still in progress. Changes are announced to listeners (the WebSocket clients).
 */
import { EventEmitter } from 'node:events';
import type { Sequential } from '../models/sequential.js';
import type { SummaryRow } from '../models/summary.js';
import type { BatchPoint, EpochPoint } from './protocol.js';
import type { StartRunRequest } from './schemas.js';

export type RunStatus = 'running' | 'paused' | 'stopping' | 'evaluating' | 'finished' | 'stopped' | 'failed';

/** What the page sees of a run (JSON). */
export interface RunView {
  id: string;
  name: string;
  kind: 'run' | 'loaded';
  status: RunStatus;
  createdAt: number;
  request: StartRunRequest | null;
  /** The workspace file a loaded model came from. */
  file: string | null;
  totalParams: number;
  summary: SummaryRow[];
  epochs: number;
  steps: number;
  samples: number;
  points: BatchPoint[];
  epochPoints: EpochPoint[];
  trainSeconds: number | null;
  evaluation: { loss: number; accuracy: number } | null;
  error: string | null;
}

export interface RunRecord {
  view: RunView;
  /** The trained (or loaded) model, once there is one; used for drawing and saving. */
  model: Sequential | null;
  /** Test-set probabilities, 10,000 × 10. */
  probabilities: Float32Array | null;
}

export type StoreEvent =
  | { type: 'run'; run: RunView }
  | { type: 'batch'; id: string; point: BatchPoint }
  | { type: 'epoch'; id: string; point: EpochPoint }
  | { type: 'removed'; id: string };

// A long run keeps every throttled point up to this many, then every other one, so memory stays bounded.
const MAX_POINTS = 4000;

export class StudioStore {
  private readonly records = new Map<string, RunRecord>();
  private readonly events = new EventEmitter();
  private nextId = 1;

  constructor() {
    this.events.setMaxListeners(0);
  }

  newId(prefix: 'run' | 'model'): string {
    return `${prefix}-${this.nextId++}`;
  }

  add(view: RunView, model: Sequential | null = null): RunRecord {
    const record: RunRecord = { view, model, probabilities: null };
    this.records.set(view.id, record);
    this.emit({ type: 'run', run: view });
    return record;
  }

  get(id: string): RunRecord | undefined {
    return this.records.get(id);
  }

  list(): RunView[] {
    return [...this.records.values()].map((record) => record.view);
  }

  /** Applies a change to the run's view and announces the whole view. */
  update(id: string, change: (view: RunView, record: RunRecord) => void): void {
    const record = this.records.get(id);
    if (!record) return;
    change(record.view, record);
    this.emit({ type: 'run', run: record.view });
  }

  addBatch(id: string, point: BatchPoint): void {
    const record = this.records.get(id);
    if (!record) return;
    const points = record.view.points;
    points.push(point);
    if (points.length > MAX_POINTS) record.view.points = points.filter((_, index) => index % 2 === 1);
    this.emit({ type: 'batch', id, point });
  }

  addEpoch(id: string, point: EpochPoint): void {
    const record = this.records.get(id);
    if (!record) return;
    record.view.epochPoints.push(point);
    this.emit({ type: 'epoch', id, point });
  }

  remove(id: string): boolean {
    const removed = this.records.delete(id);
    if (removed) this.emit({ type: 'removed', id });
    return removed;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(event: StoreEvent): void {
    this.events.emit('event', event);
  }
}
