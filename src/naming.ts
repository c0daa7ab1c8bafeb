/**
 * Keras's Python spelling of a name ('sparse_categorical_crossentropy', 'glorot_uniform') from its
 * TypeScript spelling, so that the types accept what the parsers below already accept at run time.
 */
export type SnakeCase<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : Name;

/** 'sparse_categorical_crossentropy' → 'sparseCategoricalCrossentropy'; other names pass unchanged. */
export function camelFromSnake(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
