/**
 * docs/recipe.md's figures from the runs in docs/recipe-runs/: the chosen recipe's curves on its
 * validation split (recipe-validation-curves.svg), and the candidates' validation curves side by
 * side from epoch 11 (recipe-candidates.svg).
 *   npx tsx scripts/recipe-figures.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotCompare, plotHistory } from '../src/plots/index.js';

const docs = fileURLToPath(new URL('../docs/', import.meta.url));
const runs = join(docs, 'recipe-runs');

/** A scripts/recipe.ts log: one JSON line per epoch. */
function scriptHistory(file: string): Record<string, number[]> {
  const history: Record<string, number[]> = { loss: [], accuracy: [], val_loss: [], val_accuracy: [] };
  for (const line of readFileSync(join(runs, file), 'utf8').split('\n')) {
    if (!line.startsWith('{"epoch"')) continue;
    const record = JSON.parse(line) as Record<string, number>;
    for (const key of Object.keys(history)) history[key]!.push(record[key]!);
  }
  return history;
}

/** A `digitnet train --json` record's history. */
function trainHistory(file: string): Record<string, number[]> {
  return (JSON.parse(readFileSync(join(runs, file), 'utf8')) as { history: Record<string, number[]> }).history;
}

const chosen = scriptHistory('val-aug-800bn-e60-lr2e-3.log');
await plotHistory(chosen, { metrics: ['accuracy', 'loss'] }).save(join(docs, 'recipe-validation-curves.svg'));
// From epoch 11 on, where the candidates part: over all epochs the first ones' climb sets the scale.
const fromEpoch = 11;
const lastEpochs = (history: Record<string, number[]>): { epoch: number[]; loss: number[]; accuracy: number[]; val_loss: number[]; val_accuracy: number[] } => {
  const tail = (values: number[] | undefined): number[] => (values ?? []).slice(fromEpoch - 1);
  return {
    epoch: tail(history.loss).map((_, index) => fromEpoch - 1 + index),
    loss: tail(history.loss),
    accuracy: tail(history.accuracy),
    val_loss: tail(history.val_loss),
    val_accuracy: tail(history.val_accuracy),
  };
};
await plotCompare({
  '800-800, 40 epochs': lastEpochs(scriptHistory('val-aug-800-e40.log')),
  '800-800, 60 epochs': lastEpochs(scriptHistory('val-aug-800-e60.log')),
  'batch-normalized, 40 epochs': lastEpochs(scriptHistory('val-aug-800bn-e40-lr2e-3.log')),
  'batch-normalized, 50 epochs': lastEpochs(trainHistory('val-mlp-augmented-e50.json')),
  'batch-normalized, 60 epochs (mlp-augmented)': lastEpochs(chosen),
}).save(join(docs, 'recipe-candidates.svg'));
console.log(`Wrote ${join(docs, 'recipe-validation-curves.svg')} and ${join(docs, 'recipe-candidates.svg')}.`);
