/**
 * Runs one training at a time in a worker thread and records what it reports in the store. A
 * second start while one trains is refused with a sentence naming the running one (the page says
 * so beside its Start button): queued trainings would run on settings the user may have changed.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadModel } from '../saving/formats.js';
import { CONTROL_STATE, PAUSED, RUNNING, STOPPING, type WorkerInput, type WorkerMessage } from './protocol.js';
import { RequestError, type StartRunRequest } from './schemas.js';
import { summarize } from './model-spec.js';
import type { StudioStore } from './store.js';

// The page is sent at most ~20 batch updates a second, whatever the batch rate.
export const BATCH_INTERVAL_MS = 50;

interface ActiveTraining {
  id: string;
  worker: Worker;
  control: Int32Array;
  finished: Promise<void>;
}

// Run from the TypeScript sources (tests, tsx), the worker is the built one when there is one
// (npm test builds first; tsx would spend seconds compiling the library again in each worker),
// else the sources through tsx's API, since workers do not inherit tsx's loader.
const fromSources = import.meta.url.endsWith('.ts');
const builtWorker = new URL('../../dist/studio/training-worker.js', import.meta.url);
const workerUrl = !fromSources ? new URL('./training-worker.js', import.meta.url) : existsSync(builtWorker) ? builtWorker : new URL('./training-worker.ts', import.meta.url);

function startWorker(input: WorkerInput): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, { workerData: input });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: input });
}

export class TrainingRunner {
  private active: ActiveTraining | null = null;

  constructor(private readonly store: StudioStore, private readonly runsDirectory: string) {
    mkdirSync(runsDirectory, { recursive: true });
  }

  get activeId(): string | null {
    return this.active?.id ?? null;
  }

  start(request: StartRunRequest): string {
    if (this.active) {
      const running = this.store.get(this.active.id)?.view.name ?? this.active.id;
      throw new RequestError(409, `A training is already running (${running}): stop it or wait for it to finish; the studio trains one model at a time.`);
    }
    const summary = summarize(request.model);
    const id = this.store.newId('run');
    this.store.add({
      id, name: request.name, kind: 'run', status: 'running', createdAt: Date.now(), request, file: null,
      totalParams: summary.totalParams, summary: summary.rows,
      epochs: request.training.epochs, steps: 0, samples: 0, points: [], epochPoints: [],
      trainSeconds: null, evaluation: null, error: null,
    });
    const modelPath = join(this.runsDirectory, `${id}.safetensors`);
    const shared = new SharedArrayBuffer(4);
    const control = new Int32Array(shared);
    const input: WorkerInput = { request, modelPath, control: shared, batchIntervalMs: BATCH_INTERVAL_MS };
    const worker = startWorker(input);
    const finished = new Promise<void>((resolve) => {
      let failed = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'failed') failed = true;
        // Done as far as the user is concerned: a new training may start while this worker ends.
        if ((message.type === 'evaluated' || message.type === 'failed') && this.active?.id === id) this.active = null;
        try {
          this.handle(id, message, modelPath);
        } catch (error) {
          failed = true;
          this.store.update(id, (view) => {
            view.status = 'failed';
            view.error = (error as Error).message;
          });
        }
        if (message.type === 'evaluated' || message.type === 'failed') void worker.terminate();
      });
      worker.on('error', (error) => {
        failed = true;
        this.store.update(id, (view) => {
          view.status = 'failed';
          view.error = error.message;
        });
      });
      worker.on('exit', () => {
        const view = this.store.get(id)?.view;
        if (view && !failed && view.status !== 'finished' && view.status !== 'stopped') {
          this.store.update(id, (changed) => {
            changed.status = 'stopped';
            changed.error = changed.error ?? 'The training was ended before it finished.';
          });
        }
        rmSync(modelPath, { force: true });
        if (this.active?.id === id) this.active = null;
        resolve();
      });
    });
    this.active = { id, worker, control, finished };
    return id;
  }

  private handle(id: string, message: WorkerMessage, modelPath: string): void {
    switch (message.type) {
      case 'begin':
        this.store.update(id, (view) => {
          view.epochs = message.epochs;
          view.steps = message.steps;
          view.samples = message.samples;
        });
        return;
      case 'batch':
        this.store.addBatch(id, message.point);
        return;
      case 'epoch':
        this.store.addEpoch(id, message.point);
        return;
      case 'paused':
        this.store.update(id, (view) => void (view.status = 'paused'));
        return;
      case 'resumed':
        this.store.update(id, (view) => void (view.status = view.status === 'paused' ? 'running' : view.status));
        return;
      case 'trained':
        this.store.update(id, (view, record) => {
          view.status = 'evaluating';
          view.trainSeconds = message.trainSeconds;
          record.view.error = message.stopped ? `Stopped after ${message.epochsDone} epoch${message.epochsDone === 1 ? '' : 's'}.` : null;
        });
        return;
      case 'evaluated': {
        const model = loadModel(modelPath);
        const stopped = this.store.get(id)?.view.error?.startsWith('Stopped') ?? false;
        this.store.update(id, (view, record) => {
          record.model = model;
          record.probabilities = message.probabilities;
          view.evaluation = { loss: message.loss, accuracy: message.accuracy };
          view.status = stopped ? 'stopped' : 'finished';
        });
        return;
      }
      case 'failed':
        this.store.update(id, (view) => {
          view.status = 'failed';
          view.error = message.message;
        });
        return;
    }
  }

  private require(id: string): ActiveTraining {
    if (!this.store.get(id)) throw new RequestError(404, `There is no run ${JSON.stringify(id)}.`);
    if (!this.active || this.active.id !== id) throw new RequestError(409, `Run ${JSON.stringify(id)} is not training.`);
    return this.active;
  }

  pause(id: string): void {
    const active = this.require(id);
    Atomics.compareExchange(active.control, CONTROL_STATE, RUNNING, PAUSED);
  }

  resume(id: string): void {
    const active = this.require(id);
    if (Atomics.compareExchange(active.control, CONTROL_STATE, PAUSED, RUNNING) === PAUSED) Atomics.notify(active.control, CONTROL_STATE);
  }

  stop(id: string): void {
    const active = this.require(id);
    Atomics.store(active.control, CONTROL_STATE, STOPPING);
    Atomics.notify(active.control, CONTROL_STATE);
    this.store.update(id, (view) => void (view.status = 'stopping'));
  }

  /** Ends the training in progress, if any: asks it to stop, and ends its worker if it has not finished within `graceMs`. */
  async shutdown(graceMs = 3000): Promise<void> {
    const active = this.active;
    if (!active) return;
    Atomics.store(active.control, CONTROL_STATE, STOPPING);
    Atomics.notify(active.control, CONTROL_STATE);
    const timer = setTimeout(() => void active.worker.terminate(), graceMs);
    await active.finished;
    clearTimeout(timer);
  }
}
