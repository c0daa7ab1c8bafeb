import { z } from 'zod';

/**
 * Parses user options with a zod schema and turns the first problem into one sentence that names
 * the option, the value given and what is allowed, e.g.
 * `dense(): units must be a positive integer; got 0.`
 */
export function parseOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, context: string): z.output<Schema> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`${context}: ${describeIssue(issue, schema)}`);
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
      if (issue.input === undefined) return `${subject} is required (a ${issue.expected}).`;
      // Our schemas word their own messages ("must be a positive integer"); zod's default reads "Invalid input…".
      if (!issue.message.startsWith('Invalid input')) return `${subject} ${issue.message}; got ${formatValue(issue.input)}.`;
      return `${subject} must be a ${issue.expected}; got ${formatValue(issue.input)}.`;
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

export const positiveInteger = z.number(POSITIVE_INTEGER).int(POSITIVE_INTEGER).positive(POSITIVE_INTEGER);
export const positiveNumber = z.number('must be a positive number').positive('must be a positive number').finite('must be a positive number');
export const unitInterval = z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)');
export const shape = z.array(positiveInteger, 'must be an array of positive integers').min(1, 'must have at least one dimension');
