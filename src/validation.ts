import { z } from 'zod';
import { camelFromSnake } from './naming.js';

/**
 * Parses user options with a zod schema and turns the first problem into one sentence that names
 * the option, the value given and what is allowed, e.g.
 * `dense(): units must be a positive integer; got 0.`
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, context: string): z.output<Schema> {
  const result = schema.safeParse(withCamelCaseKeys(value, schema, context), { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`${context}: ${describeIssue(issue, schema)}`);
}

/**
 * The one spelling rule for every options object and config file: an option may be given under
 * Keras's snake_case name (`batch_size`, `restore_best_weights`, `beta_1`) as well as ours
 * (`batchSize`, …); it is renamed here, before the schema sees it. Both spellings of one option
 * at once is an error, since it is unclear which was meant.
 */
function withCamelCaseKeys(value: unknown, schema: z.ZodType, context: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const entries = Object.entries(value);
  if (!entries.some(([key]) => key.includes('_'))) return value;
  // A name no option has is left as given, so the error names what was typed.
  const known = schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : null;
  const renamed: Record<string, unknown> = {};
  const givenAs = new Map<string, string>();
  for (const [key, item] of entries) {
    const converted = key.includes('_') ? camelFromSnake(key) : key;
    const camel = known === null || known.has(converted) ? converted : key;
    const earlier = givenAs.get(camel);
    if (earlier !== undefined) {
      const [snake, ours] = key === camel ? [earlier, key] : [key, earlier];
      throw new Error(`${context}: ${snake} and ${ours} are two spellings of one option; give it once.`);
    }
    givenAs.set(camel, key);
    renamed[camel] = item;
  }
  return renamed;
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  // Array items read as inputShape[0], object keys as a.b.
  const path = issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
  const subject = path === '' ? 'options' : path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '';
      return `unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')}${allowed ? `; allowed are ${allowed}` : ''}.`;
    }
    case 'invalid_value':
      return `${subject} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}; got ${formatValue(issue.input)}.`;
    case 'invalid_type':
      if (issue.input === undefined) return `${subject} is required (${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}).`;
      // Our schemas word their own messages ("must be a positive integer"); zod's default reads "Invalid input…".
      if (!issue.message.startsWith('Invalid input')) return `${subject} ${issue.message}; got ${formatValue(issue.input)}.`;
      return `${subject} must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}; got ${formatValue(issue.input)}.`;
    default:
      return `${subject} ${issue.message}; got ${formatValue(issue.input)}.`;
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // Data is named by its kind and size, never printed value by value.
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length ?? value.byteLength})`;
  if (typeof value === 'object' && value !== null && 'shape' in value && Array.isArray((value as { shape: unknown }).shape)) {
    return `a tensor of shape [${(value as { shape: number[] }).shape.join(', ')}]`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.length > 8 ? `an array of ${value.length} items` : `[${value.map(formatValue).join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const POSITIVE_INTEGER = 'must be a positive integer';

/**
 * The most units a layer may have, wherever a model comes from (train --layers, a comparison file,
 * a model file): far beyond any MNIST network, and still a model that fits in memory with Adam's state.
 */
export const LARGEST_LAYER_UNITS = 65536;

export const positiveInteger = z.number(POSITIVE_INTEGER).int(POSITIVE_INTEGER).positive(POSITIVE_INTEGER);
export const positiveNumber = z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number');
export const unitInterval = z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)');
export const shape = z.array(positiveInteger, 'must be an array of positive integers').min(1, 'must have at least one dimension');

/**
 * Text from a file, safe to quote in a one-line message: control characters (a newline, a
 * carriage return, a NUL) are shown escaped, as \n or \x00, instead of breaking the line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (character) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

// The system's error codes as a phrase saying what went wrong, for messages about a path.
const ERROR_CODE_PHRASES: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOSPC: 'the disk is full',
  EDQUOT: "the user's disk quota is used up",
  EROFS: 'the file system is read-only',
  EACCES: 'this user has no permission for it',
  EPERM: 'the operation is not permitted',
  ELOOP: 'its symbolic links point in a loop',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the path is longer than the system allows',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EIO: 'the disk reported an input/output error',
  EXDEV: 'it is on another file system',
  EBUSY: 'it is in use',
  ETXTBSY: 'it is in use',
  EFBIG: 'the file would be larger than the file system allows',
};

/** "the disk is full" for ENOSPC; the code itself for one not listed. */
export function errorCodePhrase(code: string | undefined, fallback: string): string {
  return (code !== undefined ? ERROR_CODE_PHRASES[code] : undefined) ?? code ?? fallback;
}

/** See src/cli/errors.ts: our sentence for an error JavaScript or the system raised. */
export function plainErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message;
  const length = /^Invalid typed array length: (\d+)/.exec(message) ?? /^Array buffer allocation failed/.exec(message) ?? /^Invalid array length/.exec(message);
  if (length) {
    const count = length[1] !== undefined ? ` (${Number(length[1]).toLocaleString('en-US')} values in one array)` : '';
    return `There is not enough memory for what was asked${count}: use smaller layers, a smaller batch or fewer images.`;
  }
  const system = error as NodeJS.ErrnoException;
  if (typeof system.code === 'string' && /^E[A-Z]+$/.test(system.code) && message.startsWith(`${system.code}:`)) {
    const where = system.path ?? 'A file';
    const actions: Record<string, string> = { open: 'cannot be opened', read: 'cannot be read', write: 'cannot be written' };
    const action = (system.syscall !== undefined ? actions[system.syscall] : undefined) ?? 'cannot be used';
    return `${where} ${action}: ${errorCodePhrase(system.code, message)}.`;
  }
  return message;
}

/**
 * Keras's positional shorthand beside the options object: `dense(512, { activation })` is
 * `dense({ units: 512, activation })`, `dropout(0.2)` is `dropout({ rate: 0.2 })`. Returns the one
 * options object the layer parses; the value given both ways is an error.
 */
export function positionalOptions(first: unknown, rest: unknown, key: string, context: string): unknown {
  const isOptions = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
  if (isOptions(first)) {
    if (rest !== undefined) throw new Error(`${context}: give ${key} either first or in the options, not an options object followed by ${formatValue(rest)}.`);
    return first;
  }
  if (rest === undefined) return { [key]: first };
  if (!isOptions(rest)) throw new Error(`${context}: the options after ${key} must be an object; got ${formatValue(rest)}.`);
  const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  for (const name of new Set([key, snake])) {
    if (name in rest) throw new Error(`${context}: ${key} is given twice, as ${formatValue(first)} and as ${name}: ${formatValue(rest[name])}; give it once.`);
  }
  return { [key]: first, ...rest };
}
