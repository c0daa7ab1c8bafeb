import { z } from 'zod';
import { formatValue, parseOptions } from '../validation.js';

/**
 * Keras's weight regularizers: penalty(x) = l1 · Σ|x| + l2 · Σx², added to the loss, and its
 * gradient l1 · sign(x) + 2 · l2 · x added to the weight's gradient. l1(), l2() and l1l2() build them
 * with Keras's defaults (0.01 each).
 */
export interface Regularizer {
  readonly className: 'L1' | 'L2' | 'L1L2';
  readonly l1: number;
  readonly l2: number;
}

/** As Keras serializes a regularizer: 'l2', or { className, config }. */
export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | Regularizer | { className: string; config: { l1?: number; l2?: number } };

const factor = z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number');

export function l1(amount = 0.01): Regularizer {
  return { className: 'L1', l1: parseOptions(factor, amount, 'l1()'), l2: 0 };
}

export function l2(amount = 0.01): Regularizer {
  return { className: 'L2', l1: 0, l2: parseOptions(factor, amount, 'l2()') };
}

export function l1l2(options: { l1?: number; l2?: number } = {}): Regularizer {
  const parsed = parseOptions(z.strictObject({ l1: factor.optional(), l2: factor.optional() }), options, 'l1l2()');
  return { className: 'L1L2', l1: parsed.l1 ?? 0.01, l2: parsed.l2 ?? 0.01 };
}

/** A regularizer from its name, itself, or its serialized form; one sentence for anything else. */
export function parseRegularizer(value: unknown, option: string): Regularizer | null {
  if (value === undefined || value === null) return null;
  if (value === 'l1') return l1();
  if (value === 'l2') return l2();
  if (value === 'l1l2' || value === 'l1_l2') return l1l2();
  if (typeof value === 'object' && 'className' in value) {
    const { className } = value as { className: unknown };
    const config = 'config' in value ? ((value as { config: { l1?: number; l2?: number } }).config ?? {}) : (value as { l1?: number; l2?: number });
    if (className === 'L1') return l1(config.l1);
    if (className === 'L2') return l2(config.l2);
    if (className === 'L1L2') return l1l2({ l1: config.l1 ?? 0, l2: config.l2 ?? 0 });
  }
  throw new Error(`${option} ${formatValue(value)} is not a regularizer: use 'l1', 'l2', 'l1l2', or l1(), l2(), l1l2({ l1, l2 }).`);
}

export function serializeRegularizer(regularizer: Regularizer): { className: string; config: { l1?: number; l2?: number } } {
  const config = regularizer.className === 'L1' ? { l1: regularizer.l1 } : regularizer.className === 'L2' ? { l2: regularizer.l2 } : { l1: regularizer.l1, l2: regularizer.l2 };
  return { className: regularizer.className, config };
}

/** l1 · Σ|x| + l2 · Σx² over the first `count` values. */
export function regularizationPenalty(regularizer: Regularizer, values: Float32Array, count = values.length): number {
  let absolute = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    absolute += Math.abs(values[i]!);
    squares += values[i]! * values[i]!;
  }
  return regularizer.l1 * absolute + regularizer.l2 * squares;
}

/** gradient[i] += scale · (l1 · sign(x) + 2 · l2 · x). */
export function addRegularizationGradient(regularizer: Regularizer, values: Float32Array, gradient: Float32Array, count = values.length, scale = 1): void {
  for (let i = 0; i < count; i++) {
    const x = values[i]!;
    gradient[i]! += scale * (regularizer.l1 * Math.sign(x) + 2 * regularizer.l2 * x);
  }
}
