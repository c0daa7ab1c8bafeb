/** `digitnet info`: versions, the engine in use and the machine, for bug reports. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { parseCpuinfo } from '../../bench/machine.js';
import { describeSimdFeatures } from '../../bench/peak.js';
import { describeEngine, getEngine } from '../../engine/select.js';
import { print } from '../table.js';
import { packageVersion } from '../version.js';

export interface InfoResult {
  digitnet: string;
  node: string;
  platform: string;
  engine: string;
  simd: string;
  threads: number;
  cpu: string;
  cores: number;
  memoryGib: number;
  /** The SIMD features that decide the kernels, e.g. "avx2 fma -avx512f -avx512_bf16 …" (Linux; else "unknown"). */
  cpuFeatures: string;
  /** What bf16 products and int8 inference run on, e.g. "bf16 emulated, int8 avx2". */
  precision: string;
}

function cpuFeatures(): string {
  try {
    return describeSimdFeatures(parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')).flags);
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

export function collectInfo(): InfoResult {
  const engine = getEngine();
  const cpus = os.cpus();
  return {
    digitnet: packageVersion(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    engine: describeEngine(engine),
    simd: engine.simd,
    threads: engine.threads,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpuFeatures: cpuFeatures(),
    precision: `bf16 ${engine.precisionSupport.bfloat16}, int8 ${engine.precisionSupport.int8}`,
  };
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the digitnet and Node versions, the compute engine in use and the CPU')
    .option('--json', 'print the same as JSON')
    .action((options: { json?: boolean }) => {
      const info = collectInfo();
      if (options.json) {
        print(JSON.stringify(info));
        return;
      }
      const rows = [
        ['digitnet', info.digitnet],
        ['Node', `${info.node} (${info.platform})`],
        ['engine', info.engine],
        ['SIMD', info.simd],
        ['threads', String(info.threads)],
        ['CPU', `${info.cpu} (${info.cores} ${info.cores === 1 ? 'core' : 'cores'}, ${info.memoryGib} GiB)`],
        ['features', info.cpuFeatures],
        ['precision', info.precision],
      ];
      const width = Math.max(...rows.map(([name]) => name!.length));
      print(rows.map(([name, value]) => `${name!.padEnd(width)}  ${value}`).join('\n'));
    });
}
