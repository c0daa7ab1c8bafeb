/**
 * This CPU's theoretical peak per core and cycle, from its vendor and microarchitecture rather than
 * from its flags alone: an AVX-512 flag says what the CPU decodes, not how wide its FMA units are
 * (Zen 4 splits each 512-bit FMA into two 256-bit halves; many Intel parts have one 512-bit unit).
 */

/** What /proc/cpuinfo (or its equivalent) tells about the CPU. */
export interface CpuIdentity {
  vendor: string;
  family: number | null;
  model: number | null;
  modelName: string;
  flags: ReadonlySet<string>;
}

export interface PeakRule {
  /** fp32 FLOP per cycle per core (a fused multiply-add counts 2). */
  fp32FlopsPerCycle: number | null;
  /** bf16 dot products (fp32 accumulation): twice fp32 where the instruction exists, else fp32's (emulated on the fp32 units). */
  bf16FlopsPerCycle: number | null;
  /** Whether bf16 has instructions of its own here (avx512_bf16). */
  bf16Native: boolean;
  /** The rule in words, e.g. "AMD Zen 4 (family 25 model 17): 512-bit FMA as two 256-bit halves, 32 FLOP/cycle". */
  description: string;
}

/** The SIMD features `digitnet info` and the bench print, in this order. */
export const SIMD_FEATURES = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'avx_vnni', 'amx_bf16', 'amx_int8'] as const;

function hexModel(model: number): string {
  return `0x${model.toString(16)}`;
}

/** AMD family 23 (Zen, Zen+, Zen 2), 25 (Zen 3, Zen 4) and 26 (Zen 5), by model number. */
function amdRule(family: number, model: number, avx512: boolean): { flops: number; text: string } | null {
  const where = `family ${family} model ${hexModel(model)}`;
  if (family === 23) {
    // Zen and Zen+ (models 0x00–0x2f) have 128-bit FMA units; Zen 2 (0x30 and above) 256-bit ones.
    if (model < 0x30) return { flops: 16, text: `AMD Zen/Zen+ (${where}): two 128-bit FMA units, 16 FLOP/cycle` };
    return { flops: 32, text: `AMD Zen 2 (${where}): two 256-bit FMA units, 32 FLOP/cycle` };
  }
  if (family === 25) {
    // Zen 4 is models 0x10–0x1f, 0x60–0x7f, 0xa0–0xaf; the rest of the family is Zen 3. Both have
    // two 256-bit FMA pipes; Zen 4 runs AVX-512 through them in two halves.
    const zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || (model >= 0xa0 && model <= 0xaf) || avx512;
    return zen4
      ? { flops: 32, text: `AMD Zen 4 (${where}): AVX-512 executed as two 256-bit halves on two FMA pipes, 32 FLOP/cycle` }
      : { flops: 32, text: `AMD Zen 3 (${where}): two 256-bit FMA units (AVX2), 32 FLOP/cycle` };
  }
  if (family === 26) {
    return avx512
      ? { flops: 64, text: `AMD Zen 5 (${where}): a full 512-bit data path, two FMA units, 64 FLOP/cycle (mobile parts with a 256-bit path have half)` }
      : { flops: 32, text: `AMD Zen 5 (${where}) without AVX-512: 32 FLOP/cycle` };
  }
  return null;
}

/**
 * Intel with AVX-512: server parts (Xeon Scalable) have two 512-bit FMA units except Bronze, Silver
 * and the Gold 5000s of Skylake/Cascade Lake (model 0x55), which have one; client parts (Ice Lake,
 * Tiger Lake, Rocket Lake) have one.
 */
const INTEL_CLIENT_AVX512_MODELS = new Set([0x66, 0x7d, 0x7e, 0x8c, 0x8d, 0xa7, 0xa8]);

function intelRule(model: number, modelName: string, avx512: boolean, avx2: boolean): { flops: number; text: string } | null {
  const where = `family 6 model ${hexModel(model)}`;
  if (avx512) {
    if (INTEL_CLIENT_AVX512_MODELS.has(model)) return { flops: 32, text: `Intel client AVX-512 (${where}): one 512-bit FMA unit, 32 FLOP/cycle` };
    if (model === 0x55 && /\b(Bronze|Silver)\b|\bGold 5\d{3}/i.test(modelName)) {
      return { flops: 32, text: `Intel Xeon Bronze/Silver/Gold 5000 (${where}): one 512-bit FMA unit, 32 FLOP/cycle` };
    }
    return { flops: 64, text: `Intel Xeon with AVX-512 (${where}): two 512-bit FMA units, 64 FLOP/cycle` };
  }
  if (avx2) return { flops: 32, text: `Intel AVX2 (${where}): two 256-bit FMA units, 32 FLOP/cycle` };
  return null;
}

/** The peak rule for a CPU; exported for tests. */
export function peakRule(cpu: CpuIdentity): PeakRule {
  const avx512 = cpu.flags.has('avx512f');
  const avx2 = cpu.flags.has('avx2') && cpu.flags.has('fma');
  const bf16Native = avx512 && cpu.flags.has('avx512_bf16');
  let rule: { flops: number; text: string } | null = null;
  if (cpu.vendor === 'AuthenticAMD' && cpu.family !== null && cpu.model !== null) rule = amdRule(cpu.family, cpu.model, avx512);
  else if (cpu.vendor === 'GenuineIntel' && cpu.family === 6 && cpu.model !== null) rule = intelRule(cpu.model, cpu.modelName, avx512, avx2);
  // An unknown vendor or generation: the flags alone, assuming two full-width FMA units.
  if (!rule && avx512) rule = { flops: 64, text: `${cpu.vendor || 'unknown vendor'} with AVX-512 (generation unknown): assumed two 512-bit FMA units, 64 FLOP/cycle` };
  if (!rule && avx2) rule = { flops: 32, text: `${cpu.vendor || 'unknown vendor'} with AVX2 + FMA (generation unknown): assumed two 256-bit FMA units, 32 FLOP/cycle` };
  if (!rule) return { fp32FlopsPerCycle: null, bf16FlopsPerCycle: null, bf16Native, description: 'unknown (no AVX2/FMA or AVX-512 flags found)' };
  const bf16Text = bf16Native
    ? `; bf16 (vdpbf16ps) ${rule.flops * 2} FLOP/cycle, twice fp32`
    : '; bf16 has no instructions here (no avx512_bf16), so it runs on the fp32 units at the fp32 rate';
  return { fp32FlopsPerCycle: rule.flops, bf16FlopsPerCycle: bf16Native ? rule.flops * 2 : rule.flops, bf16Native, description: rule.text + bf16Text };
}

/** The features of SIMD_FEATURES this CPU has, as "avx2 fma -avx512f …" (a minus for each it lacks). */
export function describeSimdFeatures(flags: ReadonlySet<string>): string {
  return SIMD_FEATURES.map((feature) => (flags.has(feature) ? feature : `-${feature}`)).join(' ');
}
