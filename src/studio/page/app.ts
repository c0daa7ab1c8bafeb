/** What the panels share: the live state, the run chosen for Evaluate, Draw and Models, and tab switching. */
import type { LiveState } from './api.js';

export interface App {
  readonly state: LiveState;
  /** The run or loaded model chosen in the header. */
  selected(): string | null;
  select(id: string | null): void;
  onSelect(listener: (id: string | null) => void): void;
  showTab(name: TabName): void;
}

export const TABS = ['data', 'model', 'train', 'evaluate', 'draw', 'models'] as const;
export type TabName = (typeof TABS)[number];
