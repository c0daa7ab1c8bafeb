import { oneLine } from '../../validation.js';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { packageVersion } from '../../cli/version.js';
import type { Sequential } from '../../models/sequential.js';
import { checkDirectoryReplaceable, writeDirectoryAtomic } from '../../io/atomic-directory.js';
import { buildImportedModel, type ImportedLayer } from '../imported-model.js';
import { readTopology, writeTopology } from './topology.js';
import { readShards, SHARD_NAME, weightsManifestSchema, writeShards, type NamedWeight } from './weights-manifest.js';

/**
 * TensorFlow.js's layers format: a folder holding model.json (the topology and a manifest of the
 * weights) and the binary weight shards, read by tf.loadLayersModel in a browser or in Node.
 */

export const MODEL_JSON = 'model.json';
// Our model.json is a few kilobytes; converted Keras models with long configs stay far below this.
const LARGEST_MODEL_JSON_BYTES = 32 * 1024 * 1024;

const modelJsonSchema = z.object({
  format: z.string().optional(),
  generatedBy: z.string().nullable().optional(),
  convertedBy: z.string().nullable().optional(),
  modelTopology: z.unknown(),
  weightsManifest: weightsManifestSchema,
});

/** Where the folder and the model.json file are for a path given as either. */
function locate(path: string): { folder: string; jsonName: string } {
  return path.toLowerCase().endsWith('.json') ? { folder: dirname(path), jsonName: basename(path) } : { folder: path, jsonName: MODEL_JSON };
}

/**
 * Writes the model as TensorFlow.js's layers format: `path` is the folder (or its model.json),
 * written atomically. An existing folder is replaced only if it is empty or holds an earlier
 * TensorFlow.js export (model.json files and group*-shard*.bin files), never anything else.
 */
export function saveTfjs(model: Sequential, path: string): void {
  const { folder, jsonName } = locate(path);
  const weights: NamedWeight[] = model.weights.map((weight) => ({ name: weight.name, shape: weight.shape, values: weight.values }));
  const { manifest, shards } = writeShards(weights);
  const generatedBy = `digitnet ${packageVersion()}`;
  const modelJson = {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: writeTopology(model, generatedBy),
    weightsManifest: manifest,
  };
  writeDirectoryAtomic(folder, [{ name: jsonName, contents: JSON.stringify(modelJson) }, ...shards], isEarlierExport, 'TensorFlow.js export');
}

/** Throws what saveTfjs would refuse this model or folder with, writing nothing. */
export function checkTfjsSavable(model: Sequential, path: string): void {
  writeTopology(model, 'digitnet');
  checkDirectoryReplaceable(locate(path).folder, isEarlierExport, 'TensorFlow.js export');
}

function isEarlierExport(entries: string[], folder: string): boolean {
  const jsonFiles = entries.filter((entry) => entry.endsWith('.json'));
  if (jsonFiles.length === 0 || !entries.every((entry) => entry.endsWith('.json') || SHARD_NAME.test(entry))) return false;
  return jsonFiles.every((entry) => {
    try {
      const file = join(folder, entry);
      if (!statSync(file).isFile() || statSync(file).size > LARGEST_MODEL_JSON_BYTES) return false;
      return (JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown }).format === 'layers-model';
    } catch {
      return false;
    }
  });
}

/** Loads a TensorFlow.js layers model from its folder or its model.json, checking everything first. */
export function loadTfjs(path: string): Sequential {
  const { folder, jsonName } = locate(path);
  const jsonPath = join(folder, jsonName);
  const fail = (problem: string): never => {
    // JSON.parse quotes the bytes around its error, control characters included: the message stays one line.
    throw new Error(`${jsonPath} is not a TensorFlow.js model digitnet can read: ${oneLine(problem)}.`);
  };
  let text: string;
  try {
    const stats = statSync(jsonPath);
    if (!stats.isFile()) fail('it is not a file');
    if (stats.size > LARGEST_MODEL_JSON_BYTES) fail(`it is ${stats.size} bytes, more than the ${LARGEST_MODEL_JSON_BYTES} a model.json may have`);
    text = readFileSync(jsonPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`TensorFlow.js model ${jsonPath} does not exist.`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text!);
  } catch (error) {
    fail(`it is not JSON (${(error as Error).message})`);
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`${issue.path.join('.') || 'its root'} is invalid (${issue.message})`);
  }
  const modelJson = parsed.data!;
  if (modelJson.format === 'graph-model') fail('it is a graph model (for tf.loadGraphModel); digitnet reads layers models');
  if (modelJson.format !== undefined && modelJson.format !== 'layers-model') fail(`its format is ${JSON.stringify(modelJson.format)}; digitnet reads "layers-model"`);
  const topology = readTopology(modelJson.modelTopology, fail);
  const stored = readShards(modelJson.weightsManifest, folder, fail);

  const take = (layerName: string, weightName: string): NamedWeight | undefined => {
    const exact = `${layerName}/${weightName}`;
    // Some converters prefix the model's name ("sequential/dense/kernel").
    const key = stored.has(exact) ? exact : [...stored.keys()].find((name) => name.endsWith(`/${exact}`));
    if (key === undefined) return undefined;
    const weight = stored.get(key)!;
    stored.delete(key);
    return weight;
  };
  const layers: ImportedLayer[] = [];

  let inputShape = topology.inputShape;
  for (const layer of topology.layers) {
    if (layer.kind !== 'dense') {
      layers.push(layer);
      continue;
    }
    const kernel = take(layer.name, 'kernel');
    if (!kernel) fail(`it has no weight "${layer.name}/kernel" for layer ${layer.name}`);
    if (kernel!.shape.length !== 2 || kernel!.shape[1] !== layer.units) {
      fail(`weight "${kernel!.name}" has shape [${kernel!.shape.join(', ')}] where layer ${layer.name} of ${layer.units} units needs [inputs, ${layer.units}]`);
    }
    if (inputShape === undefined && layers.length === 0) inputShape = [kernel!.shape[0]!];
    let bias: NamedWeight | undefined;
    if (layer.useBias) {
      bias = take(layer.name, 'bias');
      if (!bias) fail(`it has no weight "${layer.name}/bias" for layer ${layer.name}`);
      if (bias!.shape.length !== 1 || bias!.shape[0] !== layer.units) fail(`weight "${bias!.name}" has shape [${bias!.shape.join(', ')}] where [${layer.units}] is needed`);
    }

    layers.push({ ...layer, inputs: kernel!.shape[0]!, kernel: kernel!.values, bias: bias ? bias.values : null });
  }

  if (stored.size > 0) fail(`it has weights no layer uses: ${[...stored.keys()].slice(0, 5).join(', ')}`);
  if (inputShape === undefined) fail('no layer declares the input shape (batch_input_shape) and the first layer is not Dense');
  return buildImportedModel(topology.name, inputShape!, layers, fail);
}

/** The format's entry for saving/formats.ts. */
export const tfjsFormat = {
  name: 'tfjs',
  extensions: ['.json'],
  save: (model: Sequential, path: string): void => saveTfjs(model, path),
  check: checkTfjsSavable,
  load: (path: string): Sequential => loadTfjs(path),
} as const;
