import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { EXTRA_ACTIVATION_NAMES, extraActivation } from '../../src/engine/activation-functions.js';
import { loadNativeEngine, nativeAddonPath } from '../../src/engine/native.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { parseActivation } from '../../src/layers/activations.js';
import { Random } from '../../src/random/rng.js';

const addonMissing = existsSync(nativeAddonPath()) ? false : `the native addon is not built (${nativeAddonPath()} is missing)`;

function closeTo(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

test('the native activations, forward, backward and fused in dense, match the TypeScript reference on awkward sizes', { skip: addonMissing }, () => {
  const native = loadNativeEngine();
  const reference = new ReferenceEngine();
  const random = new Random(3);
  for (const name of EXTRA_ACTIVATION_NAMES) {
    for (const count of [1, 7, 33, 5003]) {
      const input = Float32Array.from({ length: count }, () => random.uniform(-6, 6));
      const grad = Float32Array.from({ length: count }, () => random.uniform(-1, 1));
      const outputs = [native, reference].map((engine) => {
        const output = new Float32Array(count);
        engine.activationForward(name, input, output, count, count);
        const gradient = grad.slice();
        engine.activationBackward(name, output, gradient, count, count, input);
        return { output, gradient };
      });
      for (let i = 0; i < count; i++) {
        assert.ok(closeTo(outputs[0]!.output[i]!, outputs[1]!.output[i]!, 1e-5), `${name}(${input[i]}): native ${outputs[0]!.output[i]}, reference ${outputs[1]!.output[i]}`);
        assert.ok(closeTo(outputs[0]!.gradient[i]!, outputs[1]!.gradient[i]!, 1e-4), `${name}'(${input[i]}): native ${outputs[0]!.gradient[i]}, reference ${outputs[1]!.gradient[i]}`);
      }
    }
    const [m, k, n] = [5, 9, 13];
    const x = Float32Array.from({ length: m * k }, () => random.uniform(-1, 1));
    const kernel = Float32Array.from({ length: k * n }, () => random.uniform(-1, 1));
    const bias = Float32Array.from({ length: n }, () => random.uniform(-1, 1));
    const [fromNative, fromReference] = [native, reference].map((engine) => {
      const out = new Float32Array(m * n);
      engine.denseForward(x, kernel, bias, out, m, k, n, name);
      return out;
    });
    for (let i = 0; i < m * n; i++) assert.ok(closeTo(fromNative![i]!, fromReference![i]!, 1e-4), `dense ${name} [${i}]`);
  }
});

test('the activations follow Keras 3 at known points', () => {
  const cases: [string, number, number][] = [
    ['gelu', 1, 0.8413447],
    ['elu', -1, -0.6321206],
    ['selu', -1, -1.1113307],
    ['selu', 2, 2.101402],
    ['leaky_relu', -1, -0.2],
    ['silu', 1, 0.7310586],
    ['softplus', 0, Math.LN2],
    ['softsign', 1, 0.5],
    ['hard_sigmoid', 1, 2 / 3],
    ['hard_sigmoid', -4, 0],
    ['mish', 1, 0.8650984],
  ];
  for (const [name, x, expected] of cases) {
    const value = extraActivation(parseActivation(name) as (typeof EXTRA_ACTIVATION_NAMES)[number], x);
    assert.ok(Math.abs(value - expected) < 1e-6, `${name}(${x}) = ${value}, Keras gives ${expected}`);
  }
});

test('activation aliases resolve to the Keras names, and an unknown one is refused in one sentence', () => {
  assert.equal(parseActivation('leakyRelu'), 'leaky_relu');
  assert.equal(parseActivation('swish'), 'silu');
  assert.equal(parseActivation('hardSigmoid'), 'hard_sigmoid');
  assert.throws(() => parseActivation('gelu2'), /Unknown activation "gelu2": allowed are .*mish/);
});
