import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cosineDecay,
  cosineDecayRestarts,
  deserializeSchedule,
  exponentialDecay,
  inverseTimeDecay,
  piecewiseConstantDecay,
  polynomialDecay,
  type LearningRateSchedule,
} from '../../../src/optimizers/schedules/index.js';

const STEPS = [0, 1, 2, 3, 5, 7, 10, 11, 13, 20, 31, 47, 100, 1000];

function near(schedule: LearningRateSchedule, formula: (step: number) => number, what: string): void {
  for (const step of STEPS) {
    const [actual, expected] = [schedule.at(step), formula(step)];
    assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what} at step ${step}: ${actual}, Keras's formula gives ${expected}`);
  }
  const copy = deserializeSchedule(JSON.parse(JSON.stringify(schedule.serialize())) as ReturnType<LearningRateSchedule['serialize']>);
  assert.deepEqual(copy.serialize(), schedule.serialize(), `${what} round-trips`);
  for (const step of STEPS) assert.equal(copy.at(step), schedule.at(step));
}

// Keras 3's learning_rate_schedule.py, written out.
test('exponentialDecay and inverseTimeDecay, smooth and staircase', () => {
  near(exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }), (s) => 0.1 * 0.5 ** (s / 10), 'exponential');
  near(exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true }), (s) => 0.1 * 0.5 ** Math.floor(s / 10), 'exponential staircase');
  near(inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.3 }), (s) => 0.1 / (1 + 0.3 * (s / 7)), 'inverse time');
  near(inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.3, staircase: true }), (s) => 0.1 / (1 + 0.3 * Math.floor(s / 7)), 'inverse time staircase');
});

test('piecewiseConstantDecay: values[0] up to and at the first boundary, the next value just after', () => {
  const schedule = piecewiseConstantDecay({ boundaries: [5, 11], values: [1, 0.5, 0.1] });
  near(schedule, (s) => (s <= 5 ? 1 : s <= 11 ? 0.5 : 0.1), 'piecewise');
  assert.deepEqual([5, 6, 11, 12].map((s) => schedule.at(s)), [1, 0.5, 0.5, 0.1]);
});

test('polynomialDecay, held at the end or cycling', () => {
  near(polynomialDecay({ initialLearningRate: 0.1, decaySteps: 20 }), (s) => (0.1 - 0.0001) * (1 - Math.min(s, 20) / 20) + 0.0001, 'polynomial');
  near(
    polynomialDecay({ initialLearningRate: 0.1, decaySteps: 20, endLearningRate: 0.01, power: 2, cycle: true }),
    (s) => {
      const steps = 20 * (s === 0 ? 1 : Math.ceil(s / 20));
      return (0.1 - 0.01) * (1 - s / steps) ** 2 + 0.01;
    },
    'polynomial cycle',
  );
});

test('cosineDecay with alpha, and with a linear warmup to warmupTarget', () => {
  const decayed = (from: number, t: number, steps: number, alpha: number) => from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * t) / steps)) + alpha);
  near(cosineDecay({ initialLearningRate: 0.1, decaySteps: 30, alpha: 0.1 }), (s) => decayed(0.1, Math.min(s, 30), 30, 0.1), 'cosine');
  near(
    cosineDecay({ initialLearningRate: 0.001, decaySteps: 30, warmupTarget: 0.1, warmupSteps: 10 }),
    (s) => {
      const t = Math.min(s, 40);
      return t < 10 ? (0.1 - 0.001) * (t / 10) + 0.001 : decayed(0.1, t - 10, 30, 0);
    },
    'cosine warmup',
  );
});

test('cosineDecayRestarts with geometric and equal periods', () => {
  const keras = (first: number, tMul: number, mMul: number, alpha: number) => (s: number) => {
    let fraction = s / first;
    let restart: number;
    if (tMul === 1) {
      restart = Math.floor(fraction);
      fraction -= restart;
    } else {
      restart = Math.floor(Math.log(1 - fraction * (1 - tMul)) / Math.log(tMul));
      const sum = (1 - tMul ** restart) / (1 - tMul);
      fraction = (fraction - sum) / tMul ** restart;
    }
    const cosine = 0.5 * mMul ** restart * (1 + Math.cos(Math.PI * fraction));
    return 0.1 * ((1 - alpha) * cosine + alpha);
  };
  near(cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 5 }), keras(5, 2, 1, 0), 'restarts');
  near(cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 4, tMul: 1, mMul: 0.5, alpha: 0.2 }), keras(4, 1, 0.5, 0.2), 'restarts tMul 1');
  // Periods of 5, 10, 20: the second starts at step 5, the third at 15, each from the full rate.
  const schedule = cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 5 });
  assert.ok(Math.abs(schedule.at(5) - 0.1) < 1e-12 && Math.abs(schedule.at(15) - 0.1) < 1e-12);
});

test('bad schedule arguments get one sentence', () => {
  assert.throws(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }), /^Error: exponentialDecay\(\): decaySteps must be a positive number; got 0\.$/);
  assert.throws(() => piecewiseConstantDecay({ boundaries: [5, 3], values: [1, 2, 3] }), /^Error: piecewiseConstantDecay\(\): boundaries must increase; got 3 after 5\.$/);
  assert.throws(() => piecewiseConstantDecay({ boundaries: [5], values: [1] }), /^Error: piecewiseConstantDecay\(\): values must hold one more rate than boundaries \(2\); got 1\.$/);
  assert.throws(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 }), /^Error: cosineDecay\(\): warmupSteps 5 needs a warmupTarget, the rate to warm up to\.$/);
  assert.throws(() => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 }), /^Error: cosineDecay\(\): alpha must be in \[0, 1\]; got 2\.$/);
  assert.throws(() => cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 10, tmul: 2 } as never), /^Error: cosineDecayRestarts\(\): unknown option "tmul"; allowed are initialLearningRate, firstDecaySteps, tMul, mMul, alpha\.$/);
});
