import { openSync, closeSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';
import { z } from 'zod';
import { LARGEST_LAYER_UNITS } from '../imported-model.js';

/**
 * The weightsManifest of a model.json: groups of weights, each stored as the concatenation of its
 * shard files, and the 4 MB shards tfjs itself writes.
 */

/** tfjs-converter's default shard size (weight_shard_size_bytes), so browsers can cache each file. */
export const SHARD_BYTES = 4 * 1024 * 1024;
/** All the weights one model.json may declare: about 268 million float32 values. */
export const LARGEST_WEIGHT_BYTES = 1024 * 1024 * 1024;

const weightEntry = z.object({
  name: z.string().min(1).max(512),
  shape: z.array(z.number().int().min(0)).max(8),
  dtype: z.string(),
  quantization: z.unknown().optional(),
});

export const weightsManifestSchema = z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightEntry) })).min(1);

export type WeightsManifest = z.output<typeof weightsManifestSchema>;

export interface NamedWeight {
  name: string;
  shape: readonly number[];
  values: Float32Array;
}

/** The shard file names tfjs-converter gives: group1-shard1of3.bin, … */
export const SHARD_NAME = /^group\d+-shard\d+of\d+\.bin$/;

/** Lays the weights end to end, little-endian float32, and cuts the bytes into 4 MB shards. */
export function writeShards(weights: readonly NamedWeight[]): { manifest: WeightsManifest; shards: { name: string; contents: Uint8Array }[] } {
  const total = weights.reduce((sum, weight) => sum + weight.values.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const weight of weights) {
    for (let index = 0; index < weight.values.length; index++, offset += 4) view.setFloat32(offset, weight.values[index]!, true);
  }
  const count = Math.max(1, Math.ceil(total / SHARD_BYTES));
  const shards = Array.from({ length: count }, (_, index) => ({
    name: `group1-shard${index + 1}of${count}.bin`,
    contents: bytes.subarray(index * SHARD_BYTES, Math.min(total, (index + 1) * SHARD_BYTES)),
  }));
  const manifest = [{ paths: shards.map((shard) => shard.name), weights: weights.map((weight) => ({ name: weight.name, shape: [...weight.shape], dtype: 'float32' })) }];
  return { manifest, shards };
}

/**
 * A shard path is a plain file name or a relative path inside the model's folder: no URL (tfjs
 * would fetch it), no absolute path, no "..", no backslash; and, after symlinks, still inside.
 * Returns the problem as a phrase, or undefined.
 */
function shardPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.includes('//')) return 'is a URL; shards must be files beside model.json';
  if (isAbsolute(path) || path.startsWith('/') || /^[a-z]:/i.test(path)) return 'is absolute; shards must be files beside model.json';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return 'leaves or walks around the model folder';
  if (/[?#\0]/.test(path)) return 'contains ?, # or a NUL character';
  return undefined;
}

/**
 * Reads every weight the manifest declares from the shards in `folder`. Sizes are checked before
 * anything is read or allocated: each dimension against the unit cap, every dtype float32, each
 * group's shards together exactly as long as its weights, all of them within LARGEST_WEIGHT_BYTES.
 */
export function readShards(manifest: WeightsManifest, folder: string, fail: (problem: string) => never): Map<string, NamedWeight> {
  const weights = new Map<string, NamedWeight>();
  let declaredTotal = 0;
  const realFolder = realpathSync(folder);
  manifest.forEach((group, groupIndex) => {
    let groupBytes = 0;
    for (const weight of group.weights) {
      if (weight.quantization !== undefined) fail(`weight "${weight.name}" is quantized; digitnet reads float32 weights only`);
      if (weight.dtype !== 'float32') fail(`weight "${weight.name}" has dtype ${JSON.stringify(weight.dtype)}; digitnet reads float32 weights only`);
      const tooLarge = weight.shape.find((dimension) => dimension > LARGEST_LAYER_UNITS);
      if (tooLarge !== undefined) fail(`weight "${weight.name}" has shape [${weight.shape.join(', ')}], with a dimension above the ${LARGEST_LAYER_UNITS} allowed`);
      if (weights.has(weight.name)) fail(`weight "${weight.name}" is listed twice`);
      const bytes = weight.shape.reduce((product, dimension) => product * dimension, 1) * 4;
      groupBytes += bytes;
      declaredTotal += bytes;
      if (declaredTotal > LARGEST_WEIGHT_BYTES) fail(`its weights add up to more than the ${LARGEST_WEIGHT_BYTES} bytes allowed`);
      weights.set(weight.name, { name: weight.name, shape: weight.shape, values: new Float32Array(0) });
    }
    const files = group.paths.map((path) => {
      const problem = shardPathProblem(path);
      if (problem) fail(`weight shard path ${JSON.stringify(path.slice(0, 80))} ${problem}`);
      const file = join(folder, path);
      let size: number;
      try {
        const real = realpathSync(file);
        if (!real.startsWith(realFolder + sep)) fail(`weight shard ${JSON.stringify(path)} is a link that leads out of the model folder`);
        const stats = statSync(real);
        if (!stats.isFile()) fail(`weight shard ${JSON.stringify(path)} is not a file`);
        size = stats.size;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') fail(`weight shard ${JSON.stringify(path)} is missing`);
        if (code !== undefined) fail(`weight shard ${JSON.stringify(path)} cannot be read (${code})`);
        throw error;
      }
      return { path, file, size: size! };
    });
    const shardBytes = files.reduce((sum, file) => sum + file.size, 0);
    if (shardBytes !== groupBytes) {
      fail(`weight group ${groupIndex + 1} declares ${groupBytes} bytes of weights but its shards (${group.paths.join(', ')}) hold ${shardBytes}`);
    }
    // The group's bytes, read shard by shard into one buffer whose size was checked above.
    const bytes = new Uint8Array(groupBytes);
    let offset = 0;
    for (const file of files) {
      const descriptor = openSync(file.file, 'r');
      try {
        let read = 0;
        while (read < file.size) {
          const count = readSync(descriptor, bytes, offset + read, file.size - read, read);
          if (count === 0) fail(`weight shard ${JSON.stringify(file.path)} got shorter while it was read`);
          read += count;
        }
      } finally {
        closeSync(descriptor);
      }
      offset += file.size;
    }
    const view = new DataView(bytes.buffer);
    offset = 0;
    for (const weight of group.weights) {
      const values = new Float32Array(weight.shape.reduce((product, dimension) => product * dimension, 1));
      for (let index = 0; index < values.length; index++, offset += 4) values[index] = view.getFloat32(offset, true);
      weights.set(weight.name, { name: weight.name, shape: weight.shape, values });
    }
  });
  return weights;
}
