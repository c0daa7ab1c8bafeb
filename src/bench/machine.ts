/**
 * What the benchmark ran on, and this machine's theoretical fp32 peak against which the achieved
 * GFLOP/s is quoted.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** FLOPs per cycle per core with two 512-bit FMA units: 2 units × 16 floats × 2 (multiply + add). */
export const AVX512_FLOPS_PER_CYCLE = 64;
/** With AVX2's two 256-bit FMA units. */
export const AVX2_FLOPS_PER_CYCLE = 32;

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  clockGhz: number | null;
  /** Where the clock came from, e.g. "/proc/cpuinfo cpu MHz (mean of 2 cores)". */
  clockSource: string;
  /** AVX-512 or AVX2 FMA, read from the CPU flags. */
  vectorUnit: 'avx512' | 'avx2' | 'unknown';
  flopsPerCycle: number | null;
  peakGflops: number | null;
  /** How the peak was computed, e.g. "2 cores × 2.79 GHz × 64 FLOP/cycle". */
  peakFormula: string;
  node: string;
  platform: string;
  memoryGib: number;
  /** 1-minute load average at the start: other work on the machine skews every number. */
  loadAverage: number;
}

/** Parses the parts of /proc/cpuinfo the peak needs; exported for tests. */
export function parseCpuinfo(text: string): { model: string | null; mhz: number[]; flags: Set<string> } {
  let model: string | null = null;
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
  }
  return { model, mhz, flags };
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
  let cpuinfo: ReturnType<typeof parseCpuinfo> = { model: null, mhz: [], flags: new Set() };
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
  const flopsPerCycle = vectorUnit === 'avx512' ? AVX512_FLOPS_PER_CYCLE : vectorUnit === 'avx2' ? AVX2_FLOPS_PER_CYCLE : null;
  const peakGflops = clockGhz !== null && flopsPerCycle !== null ? cores * clockGhz * flopsPerCycle : null;
  const peakFormula =
    peakGflops === null
      ? 'unknown (no clock or no FMA flags found)'
      : `${cores} cores × ${clockGhz!.toFixed(2)} GHz × ${flopsPerCycle} FLOP/cycle (${vectorUnit === 'avx512' ? 'two AVX-512' : 'two AVX2'} FMA units)`;

  return {
    cpuModel,
    cores,
    clockGhz,
    clockSource,
    vectorUnit,
    flopsPerCycle,
    peakGflops,
    peakFormula,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGib: os.totalmem() / 1024 ** 3,
    loadAverage: os.loadavg()[0] ?? 0,
  };
}
