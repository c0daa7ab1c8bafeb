import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { getEngine } from '../../src/engine/select.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Weight } from '../../src/layers/layer.js';
import { adagrad, adam, adamax, adamw, createOptimizer, lion, nadam, rmsprop, sgd, type Optimizer } from '../../src/optimizers/index.js';
import { cosineDecay } from '../../src/optimizers/schedules/index.js';
import { Random } from '../../src/random/rng.js';

/**
 * Each optimizer against Keras 3's update_step written out in float64, one scalar at a time
 * (keras/src/optimizers/*.py, base_optimizer.py for clipping and weight decay), over several steps
 * of random gradients on two weights of awkward sizes.
 */
const STEPS = 6;
const SIZES = [7, 13];

interface Trace {
  initial: number[][];
  gradients: number[][][]; // [step][weight][i]
}

function makeTrace(seed: number): Trace {
  const random = new Random(seed);
  const initial = SIZES.map((size) => Array.from({ length: size }, () => random.uniform(-1, 1)));
  const gradients = Array.from({ length: STEPS }, () => SIZES.map((size) => Array.from({ length: size }, () => random.uniform(-2, 2))));
  return { initial, gradients };
}

function runOptimizer(optimizer: Optimizer, trace: Trace, engine: Engine = new ReferenceEngine()): number[][] {
  const weights: Weight[] = trace.initial.map((values, index) => ({
    name: `w${index}`,
    shape: [values.length],
    values: Float32Array.from(values),
    gradient: new Float32Array(values.length),
  }));
  optimizer.build(weights);
  for (const step of trace.gradients) {
    weights.forEach((weight, index) => weight.gradient.set(step[index]!));
    optimizer.apply(engine, weights);
  }
  return weights.map((weight) => Array.from(weight.values));
}

type Clip = { clipnorm?: number; clipvalue?: number; globalClipnorm?: number };

/** base_optimizer._clip_gradients in float64. */
function clip(gradients: number[][], settings: Clip): number[][] {
  if (settings.clipvalue !== undefined) return gradients.map((g) => g.map((x) => Math.min(Math.max(x, -settings.clipvalue!), settings.clipvalue!)));
  const norm = (g: number[]) => Math.sqrt(g.reduce((sum, x) => sum + x * x, 0));
  if (settings.clipnorm !== undefined) return gradients.map((g) => g.map((x) => (x * settings.clipnorm!) / Math.max(norm(g), settings.clipnorm!)));
  if (settings.globalClipnorm !== undefined) {
    const global = Math.sqrt(gradients.reduce((sum, g) => sum + norm(g) ** 2, 0));
    return gradients.map((g) => g.map((x) => (x * settings.globalClipnorm!) / Math.max(global, settings.globalClipnorm!)));
  }
  return gradients;
}

/**
 * A Keras update_step for one scalar: given the state slots, gradient, variable, learning rate and
 * the step t (iterations + 1), returns the new variable.
 */
type KerasStep = (state: Record<string, number>, g: number, w: number, lr: number, t: number) => number;

function kerasRun(trace: Trace, init: () => Record<string, number>, step: KerasStep, options: { lr: (iteration: number) => number; weightDecay?: number; clip?: Clip; perStep?: (t: number) => void }): number[][] {
  const values = trace.initial.map((w) => [...w]);
  const states = values.map((w) => w.map(() => init()));
  trace.gradients.forEach((rawGradients, iteration) => {
    const gradients = clip(rawGradients, options.clip ?? {});
    const lr = options.lr(iteration);
    const t = iteration + 1;
    options.perStep?.(t);
    values.forEach((w, k) => {
      for (let i = 0; i < w.length; i++) {
        if (options.weightDecay) w[i] = w[i]! - w[i]! * options.weightDecay * lr;
        w[i] = step(states[k]![i]!, gradients[k]![i]!, w[i]!, lr, t);
      }
    });
  });
  return values;
}

const kerasAdam = (beta1: number, beta2: number, epsilon: number, amsgrad: boolean): KerasStep => (s, g, w, lr, t) => {
  const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  s.m! += (g - s.m!) * (1 - beta1);
  s.v! += (g * g - s.v!) * (1 - beta2);
  let v = s.v!;
  if (amsgrad) {
    s.vHat = Math.max(s.vHat!, s.v!);
    v = s.vHat;
  }
  return w - (s.m! * alpha) / (Math.sqrt(v) + epsilon);
};

function assertNear(actual: number[][], expected: number[][], what: string, tolerance = 2e-6): void {
  actual.forEach((weight, k) =>
    weight.forEach((value, i) => {
      const want = expected[k]![i]!;
      assert.ok(Math.abs(value - want) <= tolerance * Math.max(1, Math.abs(want)), `${what}: weight ${k}[${i}] is ${value}, Keras's formula gives ${want}`);
    }),
  );
}

const constant = (lr: number) => () => lr;
const zeros = (...names: string[]) => () => Object.fromEntries(names.map((name) => [name, 0]));

test('adam, amsgrad and adamw follow Keras: weight decay w -= w·wd·lr before the step, AMSGrad divides by the running max of v', () => {
  const trace = makeTrace(1);
  assertNear(runOptimizer(adam(), trace), kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.999, 1e-7, false), { lr: constant(0.001) }), 'adam');
  assertNear(runOptimizer(adam({ amsgrad: true, learningRate: 0.01 }), trace), kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.999, 1e-7, true), { lr: constant(0.01) }), 'amsgrad');
  assertNear(runOptimizer(adamw(), trace), kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.999, 1e-7, false), { lr: constant(0.001), weightDecay: 0.004 }), 'adamw defaults');
  assertNear(
    runOptimizer(adamw({ learningRate: 0.05, weightDecay: 0.1, amsgrad: true, beta2: 0.9 }), trace),
    kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.9, 1e-7, true), { lr: constant(0.05), weightDecay: 0.1 }),
    'adamw amsgrad',
  );
});

test('nadam follows Keras 3: u_t = beta1(1 - 0.5·0.96^t) and the running product of u', () => {
  const trace = makeTrace(2);
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-7];
  let product = 1;
  const u = (t: number) => beta1 * (1 - 0.5 * 0.96 ** t);
  const step: KerasStep = (s, g, w, lr, t) => {
    const productNext = product * u(t + 1);
    s.m! += (g - s.m!) * (1 - beta1);
    s.v! += (g * g - s.v!) * (1 - beta2);
    const mHat = (u(t + 1) * s.m!) / (1 - productNext) + ((1 - u(t)) * g) / (1 - product);
    const vHat = s.v! / (1 - beta2 ** t);
    return w - (mHat * lr) / (Math.sqrt(vHat) + epsilon);
  };
  const expected = kerasRun(trace, zeros('m', 'v'), step, { lr: constant(0.002), perStep: (t) => (product *= u(t)) });
  assertNear(runOptimizer(nadam({ learningRate: 0.002 }), trace), expected, 'nadam');
});

test('adamax, adagrad and lion follow Keras', () => {
  const trace = makeTrace(3);
  const adamaxStep: KerasStep = (s, g, w, lr, t) => {
    s.m! += (g - s.m!) * (1 - 0.9);
    s.u = Math.max(0.999 * s.u!, Math.abs(g));
    return w - (lr * s.m!) / ((1 - 0.9 ** t) * (s.u + 1e-7));
  };
  assertNear(runOptimizer(adamax(), trace), kerasRun(trace, zeros('m', 'u'), adamaxStep, { lr: constant(0.001) }), 'adamax');
  const adagradStep: KerasStep = (s, g, w, lr) => {
    s.a! += g * g;
    return w - (lr * g) / Math.sqrt(s.a! + 1e-7);
  };
  assertNear(runOptimizer(adagrad({ learningRate: 0.1 }), trace), kerasRun(trace, () => ({ a: 0.1 }), adagradStep, { lr: constant(0.1) }), 'adagrad');
  const lionStep: KerasStep = (s, g, w, lr) => {
    const next = w - lr * Math.sign(s.m! * 0.9 + g * (1 - 0.9));
    s.m = s.m! * 0.99 + g * (1 - 0.99);
    return next;
  };
  assertNear(runOptimizer(lion({ learningRate: 0.01 }), trace), kerasRun(trace, zeros('m'), lionStep, { lr: constant(0.01) }), 'lion');
});

test('clipnorm, clipvalue and globalClipnorm clip as Keras, on any optimizer; weightDecay works on all', () => {
  const trace = makeTrace(4);
  const sgdStep: KerasStep = (_s, g, w, lr) => w - lr * g;
  for (const settings of [{ clipnorm: 0.5 }, { clipvalue: 0.3 }, { globalClipnorm: 1.5 }, { globalClipnorm: 1000 }] as Clip[]) {
    assertNear(runOptimizer(sgd({ learningRate: 0.1, ...settings }), trace), kerasRun(trace, zeros(), sgdStep, { lr: constant(0.1), clip: settings }), `sgd ${JSON.stringify(settings)}`);
  }
  assertNear(
    runOptimizer(adam({ clipnorm: 0.2, weightDecay: 0.01 }), trace),
    kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.999, 1e-7, false), { lr: constant(0.001), clip: { clipnorm: 0.2 }, weightDecay: 0.01 }),
    'adam clipnorm + weightDecay',
  );
  const rmspropStep: KerasStep = (s, g, w, lr) => {
    s.ms = 0.9 * s.ms! + 0.1 * g * g;
    return w - (lr * g) / Math.sqrt(s.ms + 1e-7);
  };
  assertNear(runOptimizer(rmsprop({ weightDecay: 0.05, clipvalue: 1 }), trace), kerasRun(trace, zeros('ms'), rmspropStep, { lr: constant(0.001), clip: { clipvalue: 1 }, weightDecay: 0.05 }), 'rmsprop');
});

test('a schedule as learningRate is read at each step from the updates already applied (0 first)', () => {
  const trace = makeTrace(5);
  const schedule = cosineDecay({ initialLearningRate: 0, warmupTarget: 0.01, warmupSteps: 2, decaySteps: 3 });
  const rates = [0, 0.005, 0.01, 0.0075, 0.0025, 0];
  rates.forEach((rate, step) => assert.ok(Math.abs(schedule.at(step) - rate) < 1e-12, `step ${step}: ${schedule.at(step)} vs ${rate}`));
  const optimizer = adamw({ learningRate: schedule, weightDecay: 0.1 });
  assertNear(runOptimizer(optimizer, trace), kerasRun(trace, zeros('m', 'v', 'vHat'), kerasAdam(0.9, 0.999, 1e-7, false), { lr: (i) => rates[i]!, weightDecay: 0.1 }), 'adamw with cosineDecay');
  assert.equal(optimizer.learningRate, schedule.at(STEPS));
  assert.throws(() => {
    optimizer.learningRate = 0.1;
  }, /^Error: adamw\(\): its learningRate is a CosineDecay schedule, which cannot be set; give the optimizer a number as learningRate to change it during training\.$/);
});

test('the native engine gives the reference results for every optimizer and option', () => {
  const native = getEngine();
  const trace = makeTrace(6);
  const makers: [string, () => Optimizer][] = [
    ['adam', () => adam({ learningRate: 0.01 })],
    ['adamw', () => adamw({ learningRate: 0.01, weightDecay: 0.05 })],
    ['adamw amsgrad', () => adamw({ amsgrad: true, globalClipnorm: 1 })],
    ['nadam', () => nadam({ clipnorm: 1 })],
    ['lion', () => lion({ weightDecay: 0.1 })],
  ];
  for (const [what, make] of makers) assertNear(runOptimizer(make(), trace, native), runOptimizer(make(), trace), `${what} (${native.name})`, 1e-6);
});

test('configs round-trip through createOptimizer, schedules included, and bad arguments get one sentence', () => {
  const optimizers = [
    adamw({ learningRate: cosineDecay({ initialLearningRate: 0.01, decaySteps: 100, alpha: 0.1, warmupTarget: 0.02, warmupSteps: 10 }), amsgrad: true, clipnorm: 1 }),
    nadam({ beta1: 0.8, globalClipnorm: 2 }),
    adamax({ epsilon: 1e-6, weightDecay: 0.01 }),
    adagrad({ initialAccumulatorValue: 0.2, clipvalue: 0.5 }),
    lion({ beta2: 0.95 }),
    sgd({ momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  ];
  for (const optimizer of optimizers) {
    const config = JSON.parse(JSON.stringify(optimizer.getConfig())) as Record<string, unknown>;
    const copy = createOptimizer(optimizer.name, config);
    assert.deepEqual(copy.getConfig(), optimizer.getConfig(), optimizer.name);
    const trace = makeTrace(7);
    assert.deepEqual(runOptimizer(copy, trace), runOptimizer(createOptimizer(optimizer.name, config), trace));
  }
  assert.deepEqual(adamw().getConfig(), { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 });
  assert.deepEqual(lion().getConfig(), { learningRate: 0.001, beta1: 0.9, beta2: 0.99 });
  assert.deepEqual(adagrad().getConfig(), { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
  assert.throws(() => adam({ clipnorm: 1, clipvalue: 1 }), /^Error: adam\(\): only one of clipnorm, clipvalue and globalClipnorm can be set; got clipnorm 1, clipvalue 1, globalClipnorm undefined\.$/);
  assert.throws(() => adamw({ weightDecay: -1 }), /^Error: adamw\(\): weightDecay must be a non-negative number; got -1\.$/);
  assert.throws(() => lion({ beta1: 0 }), /^Error: lion\(\): beta1 must be in \(0, 1\]; got 0\.$/);
  assert.throws(() => nadam({ amsgrad: true } as never), /^Error: nadam\(\): unknown option "amsgrad"; allowed are learningRate, weightDecay, clipnorm, clipvalue, globalClipnorm, beta1, beta2, epsilon\.$/);
  assert.throws(() => adam({ learningRate: 'fast' as never }), /^Error: adam\(\): learningRate must be a positive number or a learning-rate schedule such as cosineDecay\(\{ \.\.\. \}\); got "fast"\.$/);
  assert.throws(() => createOptimizer('adam', { learningRate: { className: 'StepDecay', config: {} } }), /^Error: Unknown learning-rate schedule "StepDecay": allowed are ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts\.$/);
});
