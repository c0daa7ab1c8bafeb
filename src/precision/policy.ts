/**
 * Keras's dtype policies (keras.mixed_precision.set_global_policy): 'float32', or 'mixed_bfloat16'
 * — weights, optimizer state and the loss stay float32, and every dense layer's matrix products
 * take bf16 inputs with fp32 accumulation. As in Keras, a layer takes the global policy when it is
 * created (or its own `dtype`), so set the policy before building the model.
 */
import type { MatrixPrecision } from '../engine/engine.js';
import { getEngine } from '../engine/select.js';

export const DTYPE_POLICY_NAMES = ['float32', 'mixed_bfloat16'] as const;
export type DTypePolicyName = (typeof DTYPE_POLICY_NAMES)[number];

let current: DTypePolicyName = 'float32';
let emulationNoticeShown = false;

/** Checks a policy name: one clear sentence naming the value and what is allowed. */
export function parseDTypePolicy(value: unknown, where: string): DTypePolicyName {
  if (typeof value === 'string' && (DTYPE_POLICY_NAMES as readonly string[]).includes(value)) return value as DTypePolicyName;
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  throw new Error(`${where}: the dtype policy ${shown} is unknown; use "float32" or "mixed_bfloat16".`);
}

/**
 * Sets the policy layers created from now on take. On a CPU without bf16 instructions,
 * 'mixed_bfloat16' says once on stderr that the products are emulated (the same rounding on the
 * fp32 units, so the same accuracy as on a bf16 CPU but no speed-up).
 */
export function setGlobalPolicy(name: DTypePolicyName | string): void {
  current = parseDTypePolicy(name, 'setGlobalPolicy()');
  if (current === 'mixed_bfloat16' && !emulationNoticeShown && getEngine().precisionSupport.bfloat16 === 'emulated') {
    emulationNoticeShown = true;
    process.stderr.write(
      'digitnet: this CPU has no AVX512_BF16 instructions, so mixed_bfloat16 rounds the matrix inputs to bf16 and multiplies them on the fp32 units: the numerics of bf16, not its speed.\n',
    );
  }
}

/** The policy new layers take (Keras's keras.mixed_precision.global_policy()). */
export function globalPolicy(): DTypePolicyName {
  return current;
}

/** The precision of the matrix products of a layer under this policy. */
export function matrixPrecisionOf(policy: DTypePolicyName): MatrixPrecision {
  return policy === 'mixed_bfloat16' ? 'bfloat16' : 'float32';
}
