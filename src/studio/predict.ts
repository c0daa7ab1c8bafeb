/** The ten probabilities of one 28×28 digit drawn on the page, from a run's or a loaded model. */
import { tensor } from '../data/tensor.js';
import type { StudioContext } from './context.js';
import { RequestError } from './schemas.js';

export function predictDigit(context: StudioContext, modelId: string, pixels: readonly number[]): number[] {
  const record = context.store.get(modelId);
  if (!record) throw new RequestError(404, `There is no run or model ${JSON.stringify(modelId)}.`);
  if (!record.model) throw new RequestError(409, `${record.view.name} has no trained model yet: it is ${record.view.status}.`);
  const shape = record.model.inputShape;
  const input = tensor(Uint8Array.from(pixels), [1, ...shape]);
  return Array.from(record.model.predict(input).data);
}
