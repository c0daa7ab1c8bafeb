/**
 * Keras's Python spelling of a name ('sparse_categorical_crossentropy', 'glorot_uniform',
 * 'beta_1') from its TypeScript spelling, so that the types accept what the parsers below already
 * accept at run time.
 */
export type SnakeCase<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Digit ? `_${Head}` : Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : Name;

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/**
 * An options object that also takes each option under Keras's snake_case spelling
 * (`batch_size` for `batchSize`, `beta_1` for `beta1`); parseOptions renames them.
 */
export type KerasSpelled<Options> = Options & {
  [Key in keyof Options as Key extends string ? (SnakeCase<Key> extends Key ? never : SnakeCase<Key>) : never]?: Options[Key];
};

/** 'sparse_categorical_crossentropy' → 'sparseCategoricalCrossentropy', 'beta_1' → 'beta1'; other names pass unchanged. */
export function camelFromSnake(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** 'learningRate' → 'learning_rate', 'beta1' → 'beta_1': the inverse of camelFromSnake, as SnakeCase spells it. */
export function snakeFromCamel(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`).replace(/([a-z])(\d)/g, '$1_$2');
}

/** The same object with snake_case keys, as Keras writes configs. */
export function snakeKeys<Value>(config: Readonly<Record<string, Value>>): Record<string, Value> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [snakeFromCamel(key), value]));
}
