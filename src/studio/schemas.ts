/**
 * Every request body the studio accepts, as zod schemas, and the one sentence a bad body gets:
 * the field's path (layers[0].units) and what is allowed.
 */
import { z } from 'zod';
import { ACTIVATIONS, LAYER_TYPES, LOSSES, MAX_BATCH, MAX_EPOCHS, MAX_LAYERS, MAX_UNITS, OPTIMIZERS, TRAIN_IMAGES } from './limits.js';

const integer = (low: number, high: number) =>
  z.number(`must be an integer from ${low} to ${high}`).int(`must be an integer from ${low} to ${high}`).min(low, `must be an integer from ${low} to ${high}`).max(high, `must be an integer from ${low} to ${high}`);

const denseSchema = z.strictObject({
  type: z.literal('dense'),
  units: integer(1, MAX_UNITS),
  activation: z.enum(ACTIVATIONS, `must be one of ${ACTIVATIONS.join(', ')}`),
});
const dropoutSchema = z.strictObject({
  type: z.literal('dropout'),
  rate: z.number('must be a number from 0 up to (not including) 1').min(0, 'must be at least 0').lt(1, 'must be below 1'),
});

// Checked by type first, so an unknown type is named as such rather than as a failed union.
const layerSchema = z
  .looseObject({ type: z.enum(LAYER_TYPES, `must be one of ${LAYER_TYPES.join(', ')} (the layers digitnet's studio builds)`) })
  .pipe(z.discriminatedUnion('type', [denseSchema, dropoutSchema]));


export const modelSpecSchema = z.strictObject({
  /** [784] takes flat vectors; [28, 28] starts with Flatten, as notebook 001. */
  inputShape: z.union([z.tuple([z.literal(784)]), z.tuple([z.literal(28), z.literal(28)])], 'must be [784] or [28, 28]'),
  /** The hidden layers; a Dense(10, softmax) output always follows. */
  layers: z.array(layerSchema, 'must be a list of layers').max(MAX_LAYERS, `may hold at most ${MAX_LAYERS} layers`),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type LayerSpec = ModelSpec['layers'][number];

const VALIDATION_HELP = 'must be "none", "test" or a fraction between 0 and 1 held out of the training images';

export const trainingSpecSchema = z.strictObject({
  optimizer: z.enum(OPTIMIZERS, `must be one of ${OPTIMIZERS.join(', ')}`),
  /** null keeps the optimizer's Keras default. */
  learningRate: z.number('must be a positive number').gt(0, 'must be a positive number').max(10, 'must be at most 10').nullable(),
  loss: z.enum(LOSSES, `must be one of ${LOSSES.join(', ')}`),
  epochs: integer(1, MAX_EPOCHS),
  batchSize: integer(1, MAX_BATCH),
  validation: z.union(
    [z.literal('none'), z.literal('test'), z.number().gt(0, VALIDATION_HELP).lt(1, VALIDATION_HELP)],
    VALIDATION_HELP,
  ),
  earlyStoppingPatience: integer(1, 100).nullable(),
  restoreBest: z.boolean('must be true or false'),
  /** Train on the first N of the 60,000 training images (null: all). */
  limit: integer(10, TRAIN_IMAGES).nullable(),
  seed: integer(0, 0xffffffff).nullable(),
}).refine((training) => training.earlyStoppingPatience === null || training.validation !== 'none', {
  path: ['earlyStoppingPatience'],
  message: 'needs validation ("test" or a fraction): early stopping watches val_loss',
});
export type TrainingSpec = z.infer<typeof trainingSpecSchema>;

export const startRunSchema = z.strictObject({
  name: z.string('must be text').trim().min(1, 'must not be blank').max(60, 'must be at most 60 characters'),
  model: modelSpecSchema,
  training: trainingSpecSchema,
});
export type StartRunRequest = z.infer<typeof startRunSchema>;

export const summaryRequestSchema = z.strictObject({ model: modelSpecSchema });

export const predictSchema = z.strictObject({
  model: z.string('must be the id of a run or loaded model'),
  pixels: z.array(integer(0, 255), 'must be 784 grey levels from 0 to 255').length(784, 'must hold exactly 784 grey levels (28×28)'),
});

export const saveSchema = z.strictObject({
  model: z.string('must be the id of a run or loaded model'),
  name: z.string('must be a file name'),
  format: z.string('must be a format id'),
});

export const loadSchema = z.strictObject({ name: z.string('must be a file name') });

export const digitsQuerySchema = z.strictObject({
  split: z.enum(['train', 'test'], 'must be train or test'),
  label: z.union([z.literal('all'), z.coerce.number().int().min(0).max(9)], 'must be all or a digit 0 to 9').default('all'),
  offset: z.coerce.number('must be a number').int('must be an integer').min(0, 'must be at least 0').default(0),
  count: z.coerce.number('must be a number').int('must be an integer').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  token: z.string().optional(),
});

/** Client → server WebSocket messages. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping'), id: z.number().optional() }),
  z.strictObject({ type: z.literal('predict'), id: z.number(), model: z.string(), pixels: z.array(integer(0, 255)).length(784) }),
], 'type must be "ping" or "predict"');

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text === '' ? String(part) : `.${String(part)}`;
  return text;
}

/** One sentence for the first problem zod found: "layers[0].units must be an integer from 1 to 4096." */
export function describeIssue(error: z.ZodError, root = 'the body'): string {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? pathText(issue.path) : root;
  if (issue.code === 'unrecognized_keys') return `${field === root ? root : field} has an unknown field ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}.`;
  const message = issue.message.replace(/\.$/, '');
  return /^(must|may|has|needs)\b/.test(message) ? `${field} ${message}.` : `${field} is invalid: ${message}.`;
}

export class RequestError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** The parsed body, or a RequestError(400) naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, root = 'the body'): T {
  if (body === undefined || body === null) throw new RequestError(400, `${root} is missing: send JSON.`);
  const result = schema.safeParse(body);
  if (!result.success) throw new RequestError(400, describeIssue(result.error, root));
  return result.data;
}
