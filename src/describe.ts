/**
 * How models, layers, optimizers and metrics read in String(x), template literals and Node's
 * util.inspect (console.log, a notebook's output): their class and config, as the call that
 * would rebuild them, e.g. `Dense(name="dense", units=512, activation="relu")`.
 */

/** Node's util.inspect looks for this symbol (util.inspect.custom is the same registered symbol). */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** `Adam(learningRate=0.001, beta1=0.9)`: undefined settings are left out. */
export function describeCall(className: string, config: Readonly<Record<string, unknown>>): string {
  const settings = Object.entries(config)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${describeValue(value)}`);
  return `${className}(${settings.join(', ')})`;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return String(value);
  return String(value);
}
