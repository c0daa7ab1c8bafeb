import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { AdamwSettings, Engine } from '../../src/engine/engine.js';
import { loadNativeEngine, nativeAddonPath } from '../../src/engine/native.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { Random } from '../../src/random/rng.js';

const addonMissing = existsSync(nativeAddonPath()) ? false : `the native addon is not built (${nativeAddonPath()} is missing)`;

function randomArray(random: Random, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => random.uniform(-scale, scale));
}

test('the native adamwUpdate matches the TypeScript reference over several steps, with and without AMSGrad, on awkward sizes', { skip: addonMissing }, () => {
  const native = loadNativeEngine();
  const reference = new ReferenceEngine();
  const random = new Random(21);
  // Sizes that leave remainders for every vector width and split unevenly among threads.
  for (const count of [1, 15, 17, 1023, 70_001]) {
    for (const amsgrad of [false, true]) {
      const initial = randomArray(random, count, 1);
      const gradients = [1, 2, 1e-3, 0.5, 1e-3].map((scale) => randomArray(random, count, scale));
      const settings: AdamwSettings = { learningRate: 0.003, beta1: 0.9, beta2: 0.6, epsilon: 1e-7, weightDecay: 0.05 };
      const run = (engine: Engine) => {
        const state = { params: initial.slice(), first: new Float32Array(count), second: new Float32Array(count), max: new Float32Array(amsgrad ? count : 0) };
        gradients.forEach((grads, index) => engine.adamwUpdate(state.params, grads, state.first, state.second, state.max, count, index + 1, settings));
        return state;
      };
      const [expected, actual] = [run(reference), run(native)];
      for (const key of ['params', 'first', 'second', 'max'] as const) {
        for (let i = 0; i < expected[key].length; i++) {
          const difference = Math.abs(actual[key][i]! - expected[key][i]!);
          assert.ok(difference <= 1e-6 * Math.max(1, Math.abs(expected[key][i]!)), `count ${count}, amsgrad ${amsgrad}: ${key}[${i}] is ${actual[key][i]} natively, ${expected[key][i]} in the reference`);
        }
      }
      if (amsgrad) assert.ok(expected.max.some((value, i) => value > expected.second[i]!), 'AMSGrad kept a maximum above the current second moment');
    }
  }
});

test('adamwUpdate refuses a maximum buffer of the wrong length, natively and in the reference', { skip: addonMissing }, () => {
  const small = new Float32Array(4);
  const settings: AdamwSettings = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 };
  for (const engine of [loadNativeEngine(), new ReferenceEngine()]) {
    assert.throws(() => engine.adamwUpdate(small, small, small, small, new Float32Array(3), 4, 1, settings), /adamwUpdate: maxSecondMoment holds 3 values but 4 are needed \(or none, without AMSGrad\)\./);
  }
});
