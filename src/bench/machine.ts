/**
 * What the benchmark ran on, and this machine's theoretical fp32 peak against which the achieved
 * GFLOP/s is quoted.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describeSimdFeatures, peakRule } from './peak.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  clockGhz: number | null;
  /** Where the clock came from, e.g. "/proc/cpuinfo cpu MHz (mean of 2 cores)". */
  clockSource: string;
  /** AVX-512 or AVX2 FMA, read from the CPU flags. */
  vectorUnit: 'avx512' | 'avx2' | 'unknown';
  /** fp32 FLOP per cycle per core, from the vendor and microarchitecture (src/bench/peak.ts). */
  flopsPerCycle: number | null;
  peakGflops: number | null;
  /** How the peak was computed, e.g. "2 cores × 2.45 GHz × 32 FLOP/cycle (AMD Zen 3 …)". */
  peakFormula: string;
  /** The bf16 peak: twice fp32 with avx512_bf16, fp32's where bf16 is emulated. */
  bf16PeakGflops: number | null;
  bf16Native: boolean;
  /** The SIMD features that matter here, e.g. "avx2 fma -avx512f -avx512_bf16 …". */
  simdFeatures: string;
  node: string;
  platform: string;
  memoryGib: number;
  /** 1-minute load average at the start: other work on the machine skews every number. */
  loadAverage: number;
}

/** Parses the parts of /proc/cpuinfo the peak needs; exported for tests. */
export function parseCpuinfo(text: string): {
  model: string | null;
  mhz: number[];
  flags: Set<string>;
  vendor: string;
  family: number | null;
  modelNumber: number | null;
} {
  let model: string | null = null;
  let vendor = '';
  let family: number | null = null;
  let modelNumber: number | null = null;
  const mhz: number[] = [];
  let flags = new Set<string>();
  for (const line of text.split('\n')) {
    const separator = line.indexOf(':');
    if (separator < 0) continue;
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (key === 'model name' && model === null) model = value;
    else if (key === 'cpu MHz' && Number.isFinite(Number(value))) mhz.push(Number(value));
    else if (key === 'flags' && flags.size === 0) flags = new Set(value.split(/\s+/));
    else if (key === 'vendor_id' && vendor === '') vendor = value;
    else if (key === 'cpu family' && family === null && /^\d+$/.test(value)) family = Number(value);
    else if (key === 'model' && modelNumber === null && /^\d+$/.test(value)) modelNumber = Number(value);
  }
  return { model, mhz, flags, vendor, family, modelNumber };
}

/** "Intel(R) Xeon(R) Processor @ 2.80GHz" → 2.8. */
export function clockFromModelName(model: string): number | null {
  const match = /@\s*([\d.]+)\s*GHz/i.exec(model);
  return match ? Number(match[1]) : null;
}

function readLscpuMaxMhz(): number | null {
  const run = spawnSync('lscpu', [], { encoding: 'utf8', timeout: 5000 });
  if (run.status !== 0) return null;
  const match = /^CPU max MHz:\s*([\d.]+)/m.exec(run.stdout);
  return match ? Number(match[1]) : null;
}

/**
 * The clock in order of preference: the kernel's current "cpu MHz" (on a VM, the host's nominal
 * TSC clock), lscpu's max MHz, the "@ x GHz" in the model name, and os.cpus() last.
 */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  const cores = os.availableParallelism?.() ?? cpus.length;
  let cpuinfo: ReturnType<typeof parseCpuinfo> = { model: null, mhz: [], flags: new Set(), vendor: '', family: null, modelNumber: null };
  try {
    cpuinfo = parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // not Linux: os.cpus() below
  }
  const cpuModel = cpuinfo.model ?? cpus[0]?.model ?? 'unknown CPU';

  let clockGhz: number | null = null;
  let clockSource = 'unknown';
  if (cpuinfo.mhz.length > 0) {
    clockGhz = cpuinfo.mhz.reduce((sum, value) => sum + value, 0) / cpuinfo.mhz.length / 1000;
    clockSource = `/proc/cpuinfo "cpu MHz" (mean over ${cpuinfo.mhz.length} ${cpuinfo.mhz.length === 1 ? 'core' : 'cores'})`;
  } else {
    const lscpuMhz = readLscpuMaxMhz();
    const fromName = clockFromModelName(cpuModel);
    if (lscpuMhz !== null) {
      clockGhz = lscpuMhz / 1000;
      clockSource = 'lscpu "CPU max MHz"';
    } else if (fromName !== null) {
      clockGhz = fromName;
      clockSource = 'the "@ GHz" in the CPU model name';
    } else if (cpus[0] && cpus[0].speed > 0) {
      clockGhz = cpus[0].speed / 1000;
      clockSource = 'os.cpus() speed';
    }
  }

  const vectorUnit = cpuinfo.flags.has('avx512f') ? 'avx512' : cpuinfo.flags.has('fma') && cpuinfo.flags.has('avx2') ? 'avx2' : 'unknown';
  const rule = peakRule({ vendor: cpuinfo.vendor, family: cpuinfo.family, model: cpuinfo.modelNumber, modelName: cpuModel, flags: cpuinfo.flags });
  const flopsPerCycle = rule.fp32FlopsPerCycle;
  const peakGflops = clockGhz !== null && flopsPerCycle !== null ? cores * clockGhz * flopsPerCycle : null;
  const bf16PeakGflops = clockGhz !== null && rule.bf16FlopsPerCycle !== null ? cores * clockGhz * rule.bf16FlopsPerCycle : null;
  const peakFormula =
    peakGflops === null ? `unknown (no clock or ${rule.description})` : `${cores} cores × ${clockGhz!.toFixed(2)} GHz × ${flopsPerCycle} FLOP/cycle (${rule.description})`;

  return {
    cpuModel,
    cores,
    clockGhz,
    clockSource,
    vectorUnit,
    flopsPerCycle,
    peakGflops,
    peakFormula,
    bf16PeakGflops,
    bf16Native: rule.bf16Native,
    simdFeatures: describeSimdFeatures(cpuinfo.flags),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGib: os.totalmem() / 1024 ** 3,
    loadAverage: os.loadavg()[0] ?? 0,
  };
}
