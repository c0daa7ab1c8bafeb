import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSimdFeatures, peakRule } from '../../src/bench/peak.js';

const flags = (text: string) => new Set(text.split(' '));

test('AMD Zen 4 with AVX-512 counts 32 fp32 FLOP/cycle, bf16 twice that', () => {
  const rule = peakRule({ vendor: 'AuthenticAMD', family: 25, model: 0x11, modelName: 'AMD EPYC 9454', flags: flags('avx2 fma avx512f avx512_bf16 avx512_vnni') });
  assert.equal(rule.fp32FlopsPerCycle, 32);
  assert.equal(rule.bf16FlopsPerCycle, 64);
  assert.equal(rule.bf16Native, true);
  assert.match(rule.description, /Zen 4/);
});

test('AMD Zen 3 and Zen 2 count 32, Zen 1 16; bf16 without instructions runs at the fp32 rate', () => {
  const zen3 = peakRule({ vendor: 'AuthenticAMD', family: 25, model: 1, modelName: 'AMD EPYC', flags: flags('avx2 fma') });
  assert.equal(zen3.fp32FlopsPerCycle, 32);
  assert.equal(zen3.bf16FlopsPerCycle, 32);
  assert.equal(zen3.bf16Native, false);
  assert.match(zen3.description, /Zen 3/);
  assert.equal(peakRule({ vendor: 'AuthenticAMD', family: 23, model: 0x31, modelName: 'EPYC 7742', flags: flags('avx2 fma') }).fp32FlopsPerCycle, 32);
  assert.equal(peakRule({ vendor: 'AuthenticAMD', family: 23, model: 0x01, modelName: 'EPYC 7601', flags: flags('avx2 fma') }).fp32FlopsPerCycle, 16);
});

test('Intel: two 512-bit units on Xeon Platinum, one on Silver and on client parts', () => {
  const avx512 = flags('avx2 fma avx512f');
  assert.equal(peakRule({ vendor: 'GenuineIntel', family: 6, model: 0x55, modelName: 'Intel(R) Xeon(R) Platinum 8280', flags: avx512 }).fp32FlopsPerCycle, 64);
  assert.equal(peakRule({ vendor: 'GenuineIntel', family: 6, model: 0x55, modelName: 'Intel(R) Xeon(R) Silver 4214', flags: avx512 }).fp32FlopsPerCycle, 32);
  assert.equal(peakRule({ vendor: 'GenuineIntel', family: 6, model: 0x8c, modelName: 'Core i7-1165G7', flags: avx512 }).fp32FlopsPerCycle, 32);
  assert.equal(peakRule({ vendor: 'GenuineIntel', family: 6, model: 0x9e, modelName: 'Core i7-8700', flags: flags('avx2 fma') }).fp32FlopsPerCycle, 32);
});

test('no FMA flags: no peak, said so', () => {
  const rule = peakRule({ vendor: 'SomeVendor', family: null, model: null, modelName: '?', flags: flags('sse2') });
  assert.equal(rule.fp32FlopsPerCycle, null);
  assert.match(rule.description, /unknown/);
});

test('the SIMD features are listed with a minus for each missing one', () => {
  assert.equal(describeSimdFeatures(flags('avx2 fma avx512f')), 'avx2 fma avx512f -avx512_bf16 -avx512_vnni -avx_vnni -amx_bf16 -amx_int8');
});
