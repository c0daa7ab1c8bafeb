/** What every route of the studio shares: the state, the runner, the data and the workspace. */
import type { TrainTestSets } from '../data/mnist.js';
import type { TrainingRunner } from './runner.js';
import type { StudioStore } from './store.js';

export interface StudioContext {
  readonly store: StudioStore;
  readonly runner: TrainingRunner;
  readonly data: TrainTestSets;
  /** The workspace folder (real path): saved models live here. */
  readonly workspace: string;
}
