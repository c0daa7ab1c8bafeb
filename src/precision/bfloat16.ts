/**
 * bfloat16 rounding as the native engine does it (native/src/precision.cc roundToBfloat16): the
 * nearest bf16, ties to even, returned as the float32 it equals. NaN stays NaN.
 */
const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);

export function roundToBfloat16(value: number): number {
  word[0] = value;
  const pattern = bits[0]!;
  if ((pattern & 0x7fffffff) > 0x7f800000) return Number.NaN;
  // Adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; an overflow carries into infinity.
  bits[0] = ((pattern + 0x7fff + ((pattern >>> 16) & 1)) & 0xffff0000) >>> 0;
  return word[0]!;
}

/** out[i] = roundToBfloat16(source[i]) for i < count. */
export function roundArrayToBfloat16(source: Float32Array, out: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = roundToBfloat16(source[i]!);
}
