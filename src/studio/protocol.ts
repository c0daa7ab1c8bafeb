/** What the training worker and the server say to each other, and what the page is told. */
import type { StartRunRequest } from './schemas.js';

/** Slots of the shared control array the server writes and the worker reads between batches. */
export const CONTROL_STATE = 0;
export const RUNNING = 0;
export const PAUSED = 1;
export const STOPPING = 2;

export interface WorkerInput {
  readonly request: StartRunRequest;
  /** Where the worker saves the trained model, for the server to load. */
  readonly modelPath: string;
  readonly control: SharedArrayBuffer;
  /** At most one batch message per this many milliseconds. */
  readonly batchIntervalMs: number;
}

export interface BatchPoint {
  /** Batches done since training began, fractional epochs are step / steps. */
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  /** Seconds left at the current rate, for all epochs. */
  eta: number;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  seconds: number;
}

export type WorkerMessage =
  | { type: 'begin'; epochs: number; steps: number; samples: number }
  | { type: 'batch'; point: BatchPoint }
  | { type: 'epoch'; point: EpochPoint }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'trained'; stopped: boolean; trainSeconds: number; epochsDone: number }
  | { type: 'evaluated'; loss: number; accuracy: number; probabilities: Float32Array }
  | { type: 'failed'; message: string };
