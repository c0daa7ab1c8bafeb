import type { Engine } from './engine.js';
import { loadNativeEngine, simdFromEnvironment, threadsFromEnvironment } from './native.js';
import { ReferenceEngine } from './reference.js';

let chosen: Engine | undefined;

const ENGINE_CHOICES = 'use "native", "ts" (the TypeScript engine) or leave it unset to pick native when it loads';

/**
 * The process-wide engine. DIGITNET_ENGINE=ts gives the TypeScript reference engine, =native the
 * C++ addon (or an error saying why it cannot load); unset, the addon when it loads, else the
 * TypeScript engine with a one-line notice on stderr. An invalid DIGITNET_ENGINE, DIGITNET_THREADS
 * or DIGITNET_SIMD is an error.
 */
export function getEngine(): Engine {
  if (!chosen) chosen = chooseEngine();
  return chosen;
}

function chooseEngine(): Engine {
  const setting = (process.env.DIGITNET_ENGINE ?? '').trim().toLowerCase();
  // One rule for DIGITNET_ENGINE, DIGITNET_THREADS and DIGITNET_SIMD: an invalid value is an
  // error whatever the engine, never a warning and a fallback, so a typo never goes unnoticed.
  threadsFromEnvironment();
  simdFromEnvironment();
  switch (setting) {
    case 'ts':
    case 'typescript':
      return new ReferenceEngine();
    case 'native':
      return loadNativeEngine();
    case '':
    case 'auto':
      try {
        return loadNativeEngine();
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').replace(/\.$/, '');
        process.stderr.write(`digitnet: the native engine could not be loaded (${reason}); using the TypeScript engine.\n`);
        return new ReferenceEngine();
      }
    default:
      throw new Error(`DIGITNET_ENGINE=${process.env.DIGITNET_ENGINE} is not an engine: ${ENGINE_CHOICES}.`);
  }
}

/** A short description for logs and reports, e.g. "native (avx512, 2 threads)" or "typescript". */
export function describeEngine(engine: Engine): string {
  if (engine.name === 'native') return `native (${engine.simd}, ${engine.threads} ${engine.threads === 1 ? 'thread' : 'threads'})`;
  return 'typescript';
}
