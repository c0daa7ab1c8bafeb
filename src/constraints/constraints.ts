import { z } from 'zod';
import { formatValue, parseOptions } from '../validation.js';

/**
 * Keras's weight constraints, applied to a Dense kernel [inputs × units] after every optimizer
 * update: maxNorm rescales each unit's incoming weights (a column; Keras's axis=0) to norm at most
 * maxValue; unitNorm to norm 1; nonNeg zeroes the negative weights.
 */
export type Constraint = { readonly className: 'MaxNorm'; readonly maxValue: number } | { readonly className: 'UnitNorm' } | { readonly className: 'NonNeg' };

export type ConstraintIdentifier = 'maxNorm' | 'max_norm' | 'unitNorm' | 'unit_norm' | 'nonNeg' | 'non_neg' | Constraint | { className: string; config?: { maxValue?: number } };

const positive = z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number');

export function maxNorm(maxValue = 2): Constraint {
  return { className: 'MaxNorm', maxValue: parseOptions(positive, maxValue, 'maxNorm()') };
}

export function unitNorm(): Constraint {
  return { className: 'UnitNorm' };
}

export function nonNeg(): Constraint {
  return { className: 'NonNeg' };
}

export function parseConstraint(value: unknown, option: string): Constraint | null {
  if (value === undefined || value === null) return null;
  if (value === 'maxNorm' || value === 'max_norm') return maxNorm();
  if (value === 'unitNorm' || value === 'unit_norm') return unitNorm();
  if (value === 'nonNeg' || value === 'non_neg') return nonNeg();
  if (typeof value === 'object' && 'className' in value) {
    const object = value as { className: unknown; maxValue?: number; config?: { maxValue?: number } };
    if (object.className === 'MaxNorm') return maxNorm(object.config?.maxValue ?? object.maxValue);
    if (object.className === 'UnitNorm') return unitNorm();
    if (object.className === 'NonNeg') return nonNeg();
  }
  throw new Error(`${option} ${formatValue(value)} is not a constraint: use 'maxNorm', 'unitNorm', 'nonNeg', or maxNorm(maxValue).`);
}

export function serializeConstraint(constraint: Constraint): { className: string; config: Record<string, number> } {
  return { className: constraint.className, config: constraint.className === 'MaxNorm' ? { maxValue: constraint.maxValue } : {} };
}

/** Projects `values`, a row-major [rows × columns] matrix, onto the constraint (norms per column). */
export function applyConstraint(constraint: Constraint, values: Float32Array, rows: number, columns: number): void {
  if (constraint.className === 'NonNeg') {
    for (let i = 0; i < rows * columns; i++) if (values[i]! < 0) values[i] = 0;
    return;
  }
  for (let c = 0; c < columns; c++) {
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += values[r * columns + c]! ** 2;
    const norm = Math.sqrt(squares);
    // Keras: w · clip(norm, 0, max) / (epsilon + norm), epsilon 1e-7.
    const target = constraint.className === 'MaxNorm' ? Math.min(norm, constraint.maxValue) : 1;
    const factor = target / (1e-7 + norm);
    for (let r = 0; r < rows; r++) values[r * columns + c]! *= factor;
  }
}
