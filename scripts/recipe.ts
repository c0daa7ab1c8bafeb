/**
 * Runs one recipe configuration and logs its curve, for choosing the recipe on a validation split
 * (--mode validation: the last 10% of the training images held out) and then measuring it once on
 * the test set (--mode test: all 60,000 training images). One JSON line per epoch, one at the end.
 *   npx tsx scripts/recipe.ts --hidden 1024,1024 --dropout 0.2 --augment rotation=10,elastic \
 *     --epochs 30 --lr 0.001 --weight-decay 0.0001 --seed 1 --mode validation
 */
import { parseArgs } from 'node:util';
import { parseAugmentSpec } from '../src/models/augmentation.js';
import { loadMnist } from '../src/data/mnist.js';
import { buildMlp } from '../src/models/presets.js';
import { configuredOptimizer } from '../src/optimizers/configured.js';

const { values } = parseArgs({
  options: {
    hidden: { type: 'string', default: '1024,1024' },
    dropout: { type: 'string', default: '0.2' },
    augment: { type: 'string' },
    epochs: { type: 'string', default: '30' },
    'batch-size': { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.001' },
    'weight-decay': { type: 'string', default: '0.0001' },
    warmup: { type: 'string', default: '1' },
    'batch-norm': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'validation' },
  },
});
const start = performance.now();
const mnist = loadMnist();
const hidden = values.hidden.split(',').map((units) => ({ units: Number(units), dropout: Number(values.dropout) }));
const validation = values.mode === 'validation';
const trainCount = validation ? 54000 : 60000;
const batchSize = Number(values['batch-size']);
const epochs = Number(values.epochs);
const seed = Number(values.seed);
// A candidate is built as the presets are: buildMlp, and AdamW with a warm-up and a cosine to 0.
const model = buildMlp(
  hidden.map((layer) => ({ ...layer, batchNormalization: values['batch-norm'] })),
  { inputShape: [28, 28], augment: values.augment ? parseAugmentSpec(values.augment) : null, seed },
);
const optimizerSettings = { optimizer: 'adamw', learningRate: Number(values.lr), weightDecay: Number(values['weight-decay']), schedule: 'cosine', warmupEpochs: Number(values.warmup) } as const;
model.compile({ optimizer: configuredOptimizer(optimizerSettings, { epochs, stepsPerEpoch: Math.ceil(trainCount / batchSize) }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const images = mnist.train.images;
const x = { data: images.subarray(0, trainCount * 784), shape: [trainCount, 28, 28] };
const y = mnist.train.labels.subarray(0, trainCount);
const held = validation
  ? ([{ data: images.subarray(trainCount * 784), shape: [60000 - trainCount, 28, 28] }, mnist.train.labels.subarray(trainCount)] as const)
  : undefined;
const log = (record: Record<string, unknown>): void => console.log(JSON.stringify({ ...record, minutes: +((performance.now() - start) / 60000).toFixed(2) }));
log({ event: 'start', settings: values });
await model.fit(x, y, {
  epochs,
  batchSize,
  seed,
  verbose: 0,
  ...(held ? { validationData: held } : {}),
  callbacks: [{ onEpochEnd: (epoch: number, logs: Record<string, number>) => log({ epoch: epoch + 1, ...logs }) }],
});
const final = validation ? model.evaluate(held![0], held![1]) : model.evaluate({ data: mnist.test.images, shape: [10000, 28, 28] }, mnist.test.labels);
log({ event: 'end', on: validation ? 'validation' : 'test', ...final });
