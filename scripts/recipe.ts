/**
 * Runs one recipe configuration and logs its curve, for choosing the recipe on a validation split
 * (--mode validation: the last 10% of the training images held out) and then measuring it once on
 * the test set (--mode test: all 60,000 training images). One JSON line per epoch, one at the end.
 *   npx tsx scripts/recipe.ts --hidden 1024,1024 --dropout 0.2 --augment rotation=10,elastic \
 *     --epochs 30 --lr 0.001 --weight-decay 0.0001 --seed 1 --mode validation
 */
import { parseArgs } from 'node:util';
import { parseAugmentSpec } from '../src/cli/augment-option.js';
import { loadMnist } from '../src/data/mnist.js';
import { activation, batchNormalization, dense, dropout, flatten, type Layer } from '../src/layers/index.js';
import { augmentationLayers, type AugmentSpec } from '../src/models/augmentation.js';
import type { HiddenLayer } from '../src/models/presets.js';
import { sequential, type Sequential } from '../src/models/sequential.js';
import { adamw } from '../src/optimizers/index.js';
import { cosineDecay } from '../src/optimizers/schedules/cosine-decay.js';

/**
 * A recipe candidate: augmentation (if any), Flatten, relu layers (optionally Dense, then
 * BatchNormalization, then relu) with dropout, softmax; AdamW whose rate warms up linearly for
 * `warmupEpochs`, then follows a cosine to 0 over the rest of the run (Keras's CosineDecay with
 * warmupTarget). The chosen candidates became the presets mlp-800-800 and mlp-augmented.
 */
function buildCandidate(
  hidden: readonly HiddenLayer[],
  augment: AugmentSpec | undefined,
  training: { peakLearningRate: number; weightDecay: number; warmupEpochs: number; batchNorm: boolean },
  schedule: { epochs: number; stepsPerEpoch: number },
  seed: number,
): Sequential {
  const imageShape = [28, 28];
  const layers: Layer[] = augment ? augmentationLayers(augment, imageShape) : [];
  layers.push(flatten(layers.length === 0 ? { inputShape: imageShape } : {}));
  for (const layer of hidden) {
    if (training.batchNorm) layers.push(dense({ units: layer.units, useBias: false }), batchNormalization(), activation('relu'));
    else layers.push(dense({ units: layer.units, activation: 'relu' }));
    if (layer.dropout) layers.push(dropout({ rate: layer.dropout }));
  }
  layers.push(dense({ units: 10, activation: 'softmax' }));
  const model = sequential(layers, { seed });
  const totalSteps = schedule.epochs * schedule.stepsPerEpoch;
  const warmupSteps = Math.round(training.warmupEpochs * schedule.stepsPerEpoch);
  const learningRate = cosineDecay({
    initialLearningRate: warmupSteps > 0 ? training.peakLearningRate / 100 : training.peakLearningRate,
    ...(warmupSteps > 0 ? { warmupTarget: training.peakLearningRate, warmupSteps } : {}),
    decaySteps: Math.max(1, totalSteps - warmupSteps),
    alpha: 0,
  });
  model.compile({ optimizer: adamw({ learningRate, weightDecay: training.weightDecay }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

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
const model = buildCandidate(
  hidden,
  values.augment ? parseAugmentSpec(values.augment) : undefined,
  { peakLearningRate: Number(values.lr), weightDecay: Number(values['weight-decay']), warmupEpochs: Number(values.warmup), batchNorm: values['batch-norm'] },
  { epochs, stepsPerEpoch: Math.ceil(trainCount / batchSize) },
  seed,
);
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
