import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequential } from '../../src/models/sequential.js';
import { Random } from '../../src/random/rng.js';

/** The shape of test/fuzz/harness.ts's FuzzFormat, which these quick checks drive directly. */
export interface MutatedFormat {
  name: string;
  files(): Promise<Array<{ name: string; bytes: Uint8Array }>>;
  load(path: string): Promise<unknown>;
}

/** One mutation of a file's bytes: bit flips, a truncation, a cut or repeated span, or an overwritten run. */
export function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = random.nextInt(Math.max(1, bytes.length));
  switch (random.nextInt(5)) {
    case 0:
      for (let flips = 1 + random.nextInt(4); flips > 0; flips--) copy[random.nextInt(copy.length)]! ^= 1 << random.nextInt(8);
      return copy;
    case 1:
      return copy.subarray(0, at);
    case 2: {
      const length = 1 + random.nextInt(16);
      return Uint8Array.from([...copy.subarray(0, at), ...copy.subarray(at + length)]);
    }
    case 3: {
      const length = 1 + random.nextInt(16);
      return Uint8Array.from([...copy.subarray(0, at + length), ...copy.subarray(at, at + length), ...copy.subarray(at + length)]);
    }
    default: {
      // Runs of 0xff or 0x00 make lengths, dimensions and tags absurd.
      const fill = random.nextInt(2) === 0 ? 0xff : 0x00;
      for (let index = at; index < Math.min(copy.length, at + 1 + random.nextInt(8)); index++) copy[index] = fill;
      return copy;
    }
  }
}

/** A JSON text with one value edited: a number made huge, negative or fractional, a string or key changed, an entry dropped. */
export function mutateJson(text: string, random: Random): string {
  const value = JSON.parse(text) as unknown;
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((child, index) => (slots.push({ parent: node, key: index }), walk(child)));
    else if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) slots.push({ parent: node as Record<string, unknown>, key }), walk(child);
  };
  walk(value);
  const slot = slots[random.nextInt(slots.length)]!;
  const replacements = [1e12, -1, 0.5, 65537, null, '', '../x', 'Conv2D', [], {}, true, 'NaN'];
  const container = slot.parent as Record<string | number, unknown>;
  if (random.nextInt(4) === 0) {
    if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
    else delete container[slot.key];
  } else {
    container[slot.key] = replacements[random.nextInt(replacements.length)];
  }
  return JSON.stringify(value);
}

/**
 * Mutates the format's files `count` times and loads each: every result must be a model or an
 * Error whose message is one sentence that names the file loaded, never another kind of error.
 * Returns how many were refused and the distinct refusals, for the test to look at.
 */
export async function runMutations(format: MutatedFormat, count: number, seed: number, jsonFiles: ReadonlySet<string> = new Set()): Promise<{ loaded: number; refused: number; messages: Set<string> }> {
  const files = await format.files();
  const folder = mkdtempSync(join(tmpdir(), `digitnet-mutations-${format.name}-`));
  const random = new Random(seed);
  let loaded = 0;
  let refused = 0;
  const messages = new Set<string>();
  try {
    for (let trial = 0; trial < count; trial++) {
      const directory = join(folder, String(trial));
      mkdirSync(directory);
      const target = random.nextInt(files.length);
      files.forEach((file, index) => {
        let bytes = file.bytes;
        if (index === target) {
          bytes = jsonFiles.has(file.name) && random.nextInt(2) === 0 ? new TextEncoder().encode(mutateJson(new TextDecoder().decode(bytes), random)) : mutate(bytes, random);
        }
        writeFileSync(join(directory, file.name), bytes);
      });
      const path = join(directory, files[0]!.name);
      try {
        const result = await format.load(path);
        assert.ok(result instanceof Sequential, `trial ${trial} gave something that is not a model`);
        loaded++;
      } catch (error) {
        assert.ok(error instanceof Error, `trial ${trial} threw a non-Error: ${String(error)}`);
        assert.equal(error.constructor, Error, `trial ${trial} threw a ${error.constructor.name}: ${error.message}`);
        assert.ok(error.message.startsWith(path), `trial ${trial}: the message does not start with the file: ${error.message}`);
        assert.ok(!error.message.includes('\n') && error.message.endsWith('.'), `trial ${trial}: not one sentence: ${error.message}`);
        refused++;
        messages.add(error.message.slice(path.length));
      }
      rmSync(directory, { recursive: true, force: true });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return { loaded, refused, messages };
}
