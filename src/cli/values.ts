/**
 * Option values arrive from commander as strings; these turn them into numbers or fail with one
 * sentence naming the option, the value and what is allowed (a usage error: exit code 2). They
 * accept numbers too, so code (and tests) can pass typed values.
 */
import { UsageError } from './errors.js';

export type OptionValue = string | number;

function show(value: OptionValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function toNumber(value: OptionValue): number {
  if (typeof value === 'number') return value;
  const text = value.trim();
  // Number('') is 0 and Number('0x10') is 16: neither is what a user typing a count means.
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number.NaN;
  return Number(text);
}

export function positiveInteger(value: OptionValue, option: string, what: string): number {
  const number = toNumber(value);
  if (!Number.isSafeInteger(number) || number <= 0) {
    throw new UsageError(`${option} ${show(value)} is invalid: the ${what} must be a positive whole number.`);
  }
  return number;
}

export function nonNegativeInteger(value: OptionValue, option: string, what: string): number {
  const number = toNumber(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new UsageError(`${option} ${show(value)} is invalid: the ${what} must be a whole number, 0 or more.`);
  }
  return number;
}

export function positiveNumber(value: OptionValue, option: string, what: string): number {
  const number = toNumber(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${option} ${show(value)} is invalid: the ${what} must be a positive number.`);
  }
  return number;
}

/** A rate in [0, 1), as a dropout rate. */
export function rate(value: OptionValue, option: string, what: string): number {
  const number = toNumber(value);
  if (!Number.isFinite(number) || number < 0 || number >= 1) {
    throw new UsageError(`${option} ${show(value)} is invalid: the ${what} must be at least 0 and below 1.`);
  }
  return number;
}

/** A fraction strictly between 0 and 1, as a validation split. */
export function openFraction(value: OptionValue, option: string, what: string): number {
  const number = toNumber(value);
  if (!Number.isFinite(number) || number <= 0 || number >= 1) {
    throw new UsageError(`${option} ${show(value)} is invalid: the ${what} must be a number between 0 and 1 (exclusive).`);
  }
  return number;
}

export function seed(value: OptionValue, option: string): number {
  const number = toNumber(value);
  if (!Number.isSafeInteger(number) || number < 0 || number > 0xffffffff) {
    throw new UsageError(`${option} ${show(value)} is invalid: the seed must be a whole number from 0 to 4294967295.`);
  }
  return number;
}

/** Several seeds, "1,2,3" or a range "1-5"; each once. */
export function seedList(value: string, option: string): number[] {
  const text = value.trim();
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  let seeds: number[];
  if (range) {
    const first = seed(range[1]!, option);
    const last = seed(range[2]!, option);
    if (last < first || last - first >= 1000) {
      throw new UsageError(`${option} ${show(value)} is invalid: a range of seeds goes from a lower to a higher seed, at most 1000 of them, e.g. 1-5.`);
    }
    seeds = Array.from({ length: last - first + 1 }, (_, index) => first + index);
  } else {
    const parts = text.split(',').map((part) => part.trim());
    if (parts.some((part) => part === '')) {
      throw new UsageError(`${option} ${show(value)} is invalid: give seeds separated by commas, e.g. 1,2,3, or a range, e.g. 1-5.`);
    }
    seeds = parts.map((part) => seed(part, option));
  }
  const repeated = seeds.find((candidate, index) => seeds.indexOf(candidate) !== index);
  if (repeated !== undefined) throw new UsageError(`${option} ${show(value)} lists seed ${repeated} twice: each seed trains the same model, so give it once.`);
  return seeds;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string, what: string): T {
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
  if (match === undefined) {
    throw new UsageError(`${option} ${JSON.stringify(value)} is not a known ${what}: allowed are ${allowed.join(', ')}.`);
  }
  return match;
}
